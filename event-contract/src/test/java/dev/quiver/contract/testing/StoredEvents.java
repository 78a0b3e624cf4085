package dev.quiver.contract.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.api.MessageGetRequest;
import io.nats.client.api.MessageInfo;

import dev.quiver.contract.nats.NatsEventWriter;
import dev.quiver.contract.nats.NatsLayout;
import dev.quiver.contract.redis.TopicKeys;
import dev.quiver.testkit.NatsServer;
import dev.quiver.testkit.RedisServer;

/**
 * What a topic holds in the broker, read directly, for behaviour suites that run on every broker
 * ({@link dev.quiver.testkit.BrokerTestResource}): the same questions answered from a Redis stream and hash, or from
 * JetStream's messages. Test code only; shared with the services' tests as the contract's test jar.
 */
public interface StoredEvents {

    /** Every event of {@code topic}, in order, as {@code [id, [field, value, ...]]} with Redis's field names. */
    List<List<Object>> entries(String topic);

    /** How many events {@code topic} holds. */
    default long length(String topic) {
        return entries(topic).size();
    }

    /** The topic's state: key to {@code "<id> <data>"}, the form of Redis's state hash. */
    Map<String, String> state(String topic);

    /** The id of the topic's last event, or {@code null}. */
    default String cursor(String topic) {
        List<List<Object>> all = entries(topic);
        return all.isEmpty() ? null : (String) all.get(all.size() - 1).get(0);
    }

    /** Whether retention has removed anything of {@code topic} (it has a floor). */
    boolean trimmed(String topic);

    /** The epoch of the topic's history, or {@code null} when it has none. */
    String epoch(String topic);

    /** On Redis, with its layout ({@link TopicKeys}). */
    static StoredEvents redis(RedisServer redis) {
        return new StoredEvents() {

            @Override
            @SuppressWarnings("unchecked")
            public List<List<Object>> entries(String topic) {
                return (List<List<Object>>) redis.call("XRANGE", new TopicKeys(topic).stream(), "-", "+");
            }

            @Override
            public long length(String topic) {
                return (Long) redis.call("XLEN", new TopicKeys(topic).stream());
            }

            @Override
            @SuppressWarnings("unchecked")
            public Map<String, String> state(String topic) {
                List<String> flat = (List<String>) redis.call("HGETALL", new TopicKeys(topic).state());
                Map<String, String> state = new LinkedHashMap<>();
                for (int i = 0; i < flat.size(); i += 2) {
                    state.put(flat.get(i), flat.get(i + 1));
                }
                return state;
            }

            @Override
            public String cursor(String topic) {
                return (String) redis.call("HGET", new TopicKeys(topic).meta(), "cursor");
            }

            @Override
            public boolean trimmed(String topic) {
                return redis.call("HGET", new TopicKeys(topic).meta(), "floor") != null;
            }

            @Override
            public String epoch(String topic) {
                return (String) redis.call("HGET", new TopicKeys(topic).meta(), "epoch");
            }
        };
    }

    /** On JetStream, with the default names (docs/nats.md). */
    static StoredEvents nats(NatsServer nats) {
        return nats(nats, new NatsLayout("QUIVER", "quiver"));
    }

    /** On JetStream, with {@code layout}. */
    static StoredEvents nats(NatsServer nats, NatsLayout layout) {
        return new StoredEvents() {

            @Override
            public List<List<Object>> entries(String topic) {
                List<List<Object>> entries = new ArrayList<>();
                for (MessageInfo message : messages(topic)) {
                    NatsLayout.Address address = layout.address(message.getSubject());
                    List<String> fields = new ArrayList<>(List.of("type", header(message, NatsEventWriter.TYPE)));
                    if (address.key() != null) {
                        fields.addAll(List.of("key", address.key(), "op", header(message, NatsEventWriter.OP)));
                    }
                    fields.addAll(List.of("data", new String(message.getData(), StandardCharsets.UTF_8)));
                    String traceparent = header(message, NatsEventWriter.TRACEPARENT);
                    if (traceparent != null) {
                        fields.addAll(List.of("traceparent", traceparent));
                    }
                    entries.add(List.of(NatsLayout.id(message.getSeq()).toString(), fields));
                }
                return entries;
            }

            @Override
            public Map<String, String> state(String topic) {
                Map<String, String> state = new LinkedHashMap<>();
                for (MessageInfo message : messages(topic)) {
                    String key = layout.address(message.getSubject()).key();
                    if (key == null) {
                        continue;
                    }
                    state.remove(key);
                    if (!"delete".equals(header(message, NatsEventWriter.OP))) {
                        state.put(key, NatsLayout.id(message.getSeq()) + " "
                                + new String(message.getData(), StandardCharsets.UTF_8));
                    }
                }
                return state;
            }

            @Override
            public boolean trimmed(String topic) {
                try (Connection connection = Nats.connect(nats.url())) {
                    connection.jetStreamManagement().getMessage(layout.metaStream(),
                            MessageGetRequest.lastForSubject(layout.floorSubject(topic)));
                    return true;
                } catch (JetStreamApiException e) {
                    return false;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public String epoch(String topic) {
                try (Connection connection = Nats.connect(nats.url())) {
                    return layout.epoch(connection.jetStreamManagement().getStreamInfo(layout.stream())
                            .getCreateTime());
                } catch (JetStreamApiException e) {
                    return null;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }

            /** The topic's messages in stream order; none when the stream does not exist yet. */
            private List<MessageInfo> messages(String topic) {
                List<MessageInfo> messages = new ArrayList<>();
                try (Connection connection = Nats.connect(nats.url())) {
                    JetStreamManagement management = connection.jetStreamManagement();
                    long next = 1;
                    while (true) {
                        MessageInfo message;
                        try {
                            message = management.getMessage(layout.stream(),
                                    MessageGetRequest.nextForSubject(next, layout.topicFilter(topic)));
                        } catch (JetStreamApiException noMore) {
                            return messages;
                        }
                        messages.add(message);
                        next = message.getSeq() + 1;
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }

            private static String header(MessageInfo message, String name) {
                return message.getHeaders() == null ? null : message.getHeaders().getFirst(name);
            }
        };
    }
}
