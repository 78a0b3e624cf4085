package dev.quiver.snapshot.service;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;

import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.PushSubscribeOptions;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.MessageInfo;
import io.smallrye.mutiny.Uni;

import dev.quiver.contract.cursor.TopicPosition;
import dev.quiver.contract.nats.NatsBroker;
import dev.quiver.contract.nats.NatsCalls;
import dev.quiver.contract.nats.NatsEvents;
import dev.quiver.contract.nats.NatsLayout;
import dev.quiver.contract.nats.NatsRetention;
import dev.quiver.contract.problem.ProblemException;
import dev.quiver.contract.redis.StreamId;

/**
 * The snapshot reads on NATS JetStream (docs/nats.md, "Snapshot"). The state is "the last message of every key
 * subject of the topic", read with an ordered consumer delivering the last message per subject and then whatever was
 * published meanwhile, until nothing is pending: the fold is then exactly the state after the last sequence read,
 * which is the position the page reports. JetStream requests are blocking: every read runs on a worker.
 */
@ApplicationScoped
@Typed(NatsSnapshotReader.class)
public class NatsSnapshotReader implements SnapshotReader {

    /** Redis orders the state index by bytes; so does this. */
    /** How long a walk's later pages may use the state its first page read. */
    private static final Duration WALK_REUSE = Duration.ofSeconds(10);
    /** Entities held for walks at most, over every topic. */
    private static final long WALK_ENTITIES = 1_000_000;
    private static final Comparator<String> BYTE_ORDER = (a, b) -> Arrays.compareUnsigned(
            a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

    private final NatsBroker broker;
    private final NatsRetention retention;

    public NatsSnapshotReader(NatsBroker broker, NatsRetention retention) {
        this.broker = broker;
        this.retention = retention;
    }

    @Override
    public Uni<StatePage> page(String topic, String after, int limit) {
        return NatsCalls.blocking(() -> {
            State state = after == null ? null : reusable(topic);
            if (state == null) {
                state = state(topic);
                remember(topic, state);
            }
            List<Entity> entities = new ArrayList<>();
            boolean more = false;
            for (Entity entity : (after == null ? state.entities : state.entities.tailMap(after, false)).values()) {
                if (entities.size() == limit) {
                    more = true;
                    break;
                }
                entities.add(entity);
            }
            return new StatePage(state.position, entities, more);
        });
    }

    @Override
    public Uni<EntityAt> entity(String topic, String key) {
        return NatsCalls.blocking(() -> {
            NatsLayout layout = broker.layout();
            MessageInfo topicLast = broker.last(layout.topicFilter(topic));
            if (topicLast == null) {
                return new EntityAt(TopicPosition.EMPTY, null);
            }
            // The key's last message, read after the topic's: an update to the key before that read is in it, so the
            // later of the two sequences is a position the entity is exact at.
            MessageInfo keyLast = broker.last(layout.eventSubject(topic, key));
            long at = Math.max(topicLast.getSeq(), keyLast == null ? 0 : keyLast.getSeq());
            TopicPosition position = new TopicPosition(broker.epoch(), NatsLayout.id(at));
            NatsEvents.Stored stored = keyLast == null ? null : stored(keyLast);
            return new EntityAt(position, stored == null || stored.delete() ? null : entity(key, stored));
        });
    }

    @Override
    public Uni<History> eventsAfter(String topic, StreamId after, int limit) {
        return NatsCalls.blocking(() -> {
            NatsLayout layout = broker.layout();
            String filter = layout.topicFilter(topic);
            List<EventJson> events = new ArrayList<>();
            // A cursor of Redis's form belongs to another history: no events, and the epochs tell the client.
            if (after.millis() == 0) {
                long next = after.sequence() + 1;
                while (events.size() < limit) {
                    MessageInfo message = broker.next(filter, next);
                    if (message == null) {
                        break;
                    }
                    NatsEvents.Stored stored = stored(message);
                    if (stored != null) {
                        events.add(new EventJson(stored.id(), stored.json()));
                    }
                    next = message.getSeq() + 1;
                }
            }
            // The facts after the events: a trim during the read shows in the floor, never as a silent gap.
            long floor = retention.floor(topic);
            MessageInfo last = broker.last(filter);
            if (last == null && floor == 0) {
                return new History(null, null, null, List.of());
            }
            return new History(broker.epoch(), last == null ? null : NatsLayout.id(last.getSeq()),
                    floor == 0 ? null : NatsLayout.id(floor), events);
        });
    }

    @Override
    public Uni<TopicPosition> version(String topic) {
        return NatsCalls.blocking(() -> {
            MessageInfo last = broker.last(broker.layout().topicFilter(topic));
            return last == null
                    ? TopicPosition.EMPTY
                    : new TopicPosition(broker.epoch(), NatsLayout.id(last.getSeq()));
        });
    }

    /** The whole state of a topic and the position it is exact at. */
    private record State(TopicPosition position, TreeMap<String, Entity> entities) {
    }

    /** A state read for a page, and when. */
    private record Read(State state, long atNanos) {
    }

    /**
     * The state a walk's first page read, per topic, for its next pages: every page stays exact at the position it
     * reports (each page of a Redis walk reports its own), and a walk of N pages reads the topic once, not N times.
     * Bounded in age and in entities held; a walk that lands on another pod reads there.
     */
    private final Map<String, Read> walks = new LinkedHashMap<>(16, 0.75f, true);

    private State reusable(String topic) {
        synchronized (walks) {
            Read read = walks.get(topic);
            return read != null && System.nanoTime() - read.atNanos() < WALK_REUSE.toNanos() ? read.state() : null;
        }
    }

    private void remember(String topic, State state) {
        synchronized (walks) {
            walks.put(topic, new Read(state, System.nanoTime()));
            long held = 0;
            for (Read read : walks.values()) {
                held += read.state().entities().size();
            }
            var eldest = walks.entrySet().iterator();
            while (held > WALK_ENTITIES && eldest.hasNext()) {
                Read dropped = eldest.next().getValue();
                if (dropped.state() == state) {
                    break;
                }
                held -= dropped.state().entities().size();
                eldest.remove();
            }
        }
    }

    private State state(String topic) throws IOException, JetStreamApiException, InterruptedException {
        NatsLayout layout = broker.layout();
        String filter = layout.topicFilter(topic);
        TreeMap<String, Entity> entities = new TreeMap<>(BYTE_ORDER);
        if (broker.last(filter) == null) {
            return new State(TopicPosition.EMPTY, entities);
        }
        Duration timeout = broker.timeout();
        JetStreamSubscription subscription = broker.jetStream().subscribe(filter, PushSubscribeOptions.builder()
                .ordered(true)
                .configuration(ConsumerConfiguration.builder().deliverPolicy(DeliverPolicy.LastPerSubject).build())
                .build());
        try {
            long position = 0;
            while (true) {
                Message message = subscription.nextMessage(timeout);
                if (message == null) {
                    throw ProblemException.unavailable("NATS did not deliver the topic's state within "
                            + timeout.toMillis() + " ms", 1, null);
                }
                long sequence = message.metaData().streamSequence();
                NatsEvents.Stored stored = NatsEvents.read(layout, message.getSubject(), message.getHeaders(),
                        message.getData(), sequence, message.metaData().timestamp().toInstant().toEpochMilli());
                position = Math.max(position, sequence);
                String key = stored == null ? null : stored.field("key");
                if (key != null) {
                    if (stored.delete()) {
                        entities.remove(key);
                    } else {
                        entities.put(key, entity(key, stored));
                    }
                }
                if (message.metaData().pendingCount() == 0) {
                    return new State(new TopicPosition(broker.epoch(), NatsLayout.id(position)), entities);
                }
            }
        } finally {
            subscription.unsubscribe();
        }
    }

    private static Entity entity(String key, NatsEvents.Stored stored) {
        return new Entity(key, stored.id(), new StreamId(stored.timeMillis(), 0).time(), stored.field("data"));
    }

    private NatsEvents.Stored stored(MessageInfo message) {
        return NatsEvents.read(broker.layout(), message.getSubject(), message.getHeaders(), message.getData(),
                message.getSeq(), message.getTime().toInstant().toEpochMilli());
    }
}
