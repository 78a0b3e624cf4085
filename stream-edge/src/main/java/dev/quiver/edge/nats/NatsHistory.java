package dev.quiver.edge.nats;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import io.nats.client.api.MessageInfo;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import dev.quiver.contract.cursor.TopicPosition;
import dev.quiver.contract.nats.NatsBroker;
import dev.quiver.contract.nats.NatsEvents;
import dev.quiver.contract.nats.NatsLayout;
import dev.quiver.contract.nats.NatsRetention;
import dev.quiver.contract.redis.StreamId;
import dev.quiver.contract.redis.TopicMeta;
import dev.quiver.edge.broker.HistorySource;
import dev.quiver.edge.event.EncodedEvent;
import dev.quiver.edge.metrics.EdgeMetrics;

/**
 * A topic's past on JetStream (docs/nats.md, "History reads"): events by direct get, "next message of the topic from
 * sequence N", and the facts (epoch, last sequence, floor) read after them, so a trim during a page shows in its
 * floor instead of becoming a silent gap. JetStream requests are blocking: they run on Vert.x workers.
 */
public final class NatsHistory implements HistorySource {

    private final Vertx vertx;
    private final NatsBroker broker;
    private final NatsRetention retention;
    private final EdgeMetrics metrics;

    public NatsHistory(Vertx vertx, NatsBroker broker, NatsRetention retention, EdgeMetrics metrics) {
        this.vertx = vertx;
        this.broker = broker;
        this.retention = retention;
        this.metrics = metrics;
    }

    @Override
    public Future<TopicMeta> meta(String topic, TopicPosition head) {
        metrics.redisRead("replay");
        return blocking(() -> facts(topic));
    }

    @Override
    public Future<Page> range(String topic, StreamId after, StreamId upTo, int count) {
        metrics.redisRead("replay");
        return blocking(() -> {
            List<EncodedEvent> events = new ArrayList<>();
            String epoch = broker.epoch();
            boolean full = false;
            // A position of Redis's form belongs to another history: the facts tell the caller so.
            if (after.millis() == 0) {
                NatsLayout layout = broker.layout();
                String filter = layout.topicFilter(topic);
                long next = after.sequence() + 1;
                while (events.size() < count) {
                    MessageInfo message = broker.next(filter, next);
                    if (message == null || upTo != null && message.getSeq() > upTo.sequence()) {
                        break;
                    }
                    NatsEvents.Stored stored = NatsEvents.read(layout, message.getSubject(), message.getHeaders(),
                            message.getData(), message.getSeq(), message.getTime().toInstant().toEpochMilli());
                    if (stored != null) {
                        events.add(EncodedEvent.of(topic, epoch, stored.id(), stored.timeMillis(), stored.fields()));
                    }
                    next = message.getSeq() + 1;
                }
                full = events.size() == count;
            }
            return new Page(facts(topic), events, full);
        });
    }

    /** The topic's facts now: the stream's epoch, the topic's last sequence and its floor. */
    private TopicMeta facts(String topic) throws Exception {
        long floor = retention.floor(topic);
        MessageInfo last = broker.last(broker.layout().topicFilter(topic));
        if (last == null && floor == 0) {
            return new TopicMeta(broker.epoch(), null, null);
        }
        return new TopicMeta(broker.epoch(), last == null ? null : NatsLayout.id(last.getSeq()),
                floor == 0 ? null : NatsLayout.id(floor));
    }

    private <T> Future<T> blocking(Callable<T> read) {
        return vertx.executeBlocking(read, false);
    }
}
