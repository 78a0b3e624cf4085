package dev.quiver.contract.nats;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.PublishOptions;
import io.nats.client.PushSubscribeOptions;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.MessageGetRequest;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import io.smallrye.mutiny.Uni;

import dev.quiver.contract.config.NatsConfig;
import dev.quiver.contract.config.PresenceConfig;
import dev.quiver.contract.problem.ProblemException;
import dev.quiver.contract.redis.PresenceLayout;

/**
 * Presence on NATS (docs/nats.md, "Presence"): each pod publishes, per topic it holds connections in, a record of
 * everything it holds there, when it changes and once per refresh interval; the stream keeps the last record per topic
 * and pod, in memory, for the presence timeout. A pod that dies stops renewing and its record ages out, so its members
 * leave without anyone writing for it. Readers union the records ({@link PresenceUnion}).
 */
@ApplicationScoped
public class NatsPresence {

    private final NatsBroker broker;
    private final NatsConfig nats;
    private final PresenceConfig config;
    private volatile boolean ensured;

    public NatsPresence(NatsBroker broker, NatsConfig nats, PresenceConfig config) {
        this.broker = broker;
        this.nats = nats;
        this.config = config;
    }

    /** Publishes {@code pod}'s record in {@code topic}; fails when NATS does not store it within the timeout. */
    public Uni<Void> publish(String topic, String pod, PresenceRecord record) {
        NatsLayout layout = broker.layout();
        Uni<Void> ready = ensured ? Uni.createFrom().voidItem() : NatsCalls.blocking(() -> {
            ensureStream();
            return null;
        });
        return ready.chain(() -> Uni.createFrom().completionStage(() -> broker.jetStream().publishAsync(
                layout.presenceSubject(topic, pod), record.encode(),
                PublishOptions.builder().expectedStream(layout.presenceStream()).build())))
                .ifNoItem().after(broker.timeout()).fail()
                .onFailure().invoke(failure -> {
                    if (String.valueOf(failure.getMessage()).contains("No Responders")) {
                        ensured = false;
                    }
                })
                .replaceWithVoid();
    }

    /** The records of {@code topic} by pod. Blocking. */
    public Map<String, PresenceRecord> records(String topic) throws IOException, JetStreamApiException,
            InterruptedException {
        try {
            return read(topic);
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() != NatsBroker.STREAM_NOT_FOUND) {
                throw e;
            }
            // Gone (a NATS restart loses an in-memory stream): created again, then empty until pods write.
            ensured = false;
            return read(topic);
        }
    }

    private Map<String, PresenceRecord> read(String topic) throws IOException, JetStreamApiException,
            InterruptedException {
        ensureStream();
        NatsLayout layout = broker.layout();
        String filter = layout.presenceFilter(topic);
        Map<String, PresenceRecord> records = new LinkedHashMap<>();
        try {
            broker.management().getMessage(layout.presenceStream(), MessageGetRequest.lastForSubject(filter));
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() == NatsBroker.NO_MESSAGE) {
                return records;
            }
            throw e;
        }
        Duration timeout = broker.timeout();
        JetStreamSubscription subscription = broker.jetStream().subscribe(filter, PushSubscribeOptions.builder()
                .stream(layout.presenceStream()).ordered(true)
                .configuration(ConsumerConfiguration.builder().deliverPolicy(DeliverPolicy.LastPerSubject).build())
                .build());
        try {
            while (true) {
                Message message = subscription.nextMessage(timeout);
                if (message == null) {
                    throw ProblemException.unavailable("NATS did not deliver the topic's presence within "
                            + timeout.toMillis() + " ms", 1, null);
                }
                String pod = layout.presencePod(message.getSubject());
                if (pod != null) {
                    try {
                        records.put(pod, PresenceRecord.decode(message.getData()));
                    } catch (IllegalArgumentException foreign) {
                        // Not written by Quiver: skipped, as a foreign event message is.
                    }
                }
                if (message.metaData().pendingCount() == 0) {
                    return records;
                }
            }
        } finally {
            subscription.unsubscribe();
        }
    }

    /** Up to {@code limit} members after the subject {@code after} ({@code null}: from the first), with the counts. */
    public Uni<PresenceLayout.Page> page(String topic, String after, int limit) {
        return NatsCalls.blocking(() -> PresenceUnion.page(records(topic).values(), after, limit));
    }

    /** The counts alone. */
    public Uni<PresenceLayout.Page> count(String topic) {
        return page(topic, null, 0).map(page -> new PresenceLayout.Page(page.count(), page.anonymous(), List.of(),
                false));
    }

    /**
     * Creates the presence stream when it is missing: in memory (presence is rebuilt within a refresh interval after a
     * NATS restart), the last record per topic and pod, each kept for the presence timeout.
     */
    private void ensureStream() throws IOException, JetStreamApiException {
        if (ensured) {
            return;
        }
        JetStreamManagement management = broker.management();
        StreamInfo info = NatsBroker.ensure(management, StreamConfiguration.builder()
                .name(broker.layout().presenceStream())
                .subjects(broker.layout().presenceSubjects())
                .storageType(StorageType.Memory)
                .replicas(nats.replicas())
                .maxMessagesPerSubject(1)
                .maxAge(config.timeout())
                .duplicateWindow(config.timeout())
                .discardPolicy(DiscardPolicy.Old)
                .allowDirect(true)
                .build());
        if (!config.timeout().equals(info.getConfiguration().getMaxAge())) {
            // Created with another timeout (an earlier setting): records must age out with this one.
            // The duplicate window may not exceed the age limit: both move.
            management.updateStream(StreamConfiguration.builder(info.getConfiguration()).maxAge(config.timeout())
                    .duplicateWindow(config.timeout()).build());
        }
        ensured = true;
    }
}
