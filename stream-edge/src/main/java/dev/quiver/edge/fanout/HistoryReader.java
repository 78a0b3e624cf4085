package dev.quiver.edge.fanout;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import dev.quiver.contract.redis.StreamId;
import dev.quiver.contract.redis.TopicKeys;
import dev.quiver.edge.metrics.EdgeMetrics;

/**
 * Reads a topic's past for one subscriber: the events it missed and the facts that decide whether it can have them.
 * Unlike the live reader this cost is per catching-up connection; a connection already at the head of its topics
 * costs none of it.
 */
@ApplicationScoped
public class HistoryReader {

    /** What decides whether a cursor can be honoured. */
    public record Meta(String epoch, StreamId cursor, StreamId floor) {
    }

    private final Redis redis;
    private final EdgeMetrics metrics;

    public HistoryReader(Redis redis, EdgeMetrics metrics) {
        this.redis = redis;
        this.metrics = metrics;
    }

    public Future<Meta> meta(String topic) {
        metrics.redisRead("replay");
        return redis.send(Request.cmd(Command.HMGET).arg(new TopicKeys(topic).meta()).arg("epoch").arg("cursor")
                .arg("floor"))
                .map(reply -> new Meta(text(reply.get(0)), id(reply.get(1)), id(reply.get(2))));
    }

    /**
     * Up to {@code count} events of {@code topic} after {@code after} and not after {@code upTo}, encoded for
     * history {@code epoch}.
     */
    public Future<List<EncodedEvent>> range(String topic, String epoch, StreamId after, StreamId upTo, int count) {
        metrics.redisRead("replay");
        Request request = Request.cmd(Command.XRANGE).arg(new TopicKeys(topic).stream()).arg("(" + after)
                .arg(upTo == null ? "+" : upTo.toString()).arg("COUNT").arg(count);
        return redis.send(request).map(reply -> {
            List<EncodedEvent> events = new ArrayList<>(reply.size());
            for (Response entry : reply) {
                List<String> fields = new ArrayList<>(entry.get(1).size());
                for (Response field : entry.get(1)) {
                    fields.add(field.toString());
                }
                events.add(EncodedEvent.of(topic, epoch, StreamId.parse(entry.get(0).toString()), fields));
            }
            return events;
        });
    }

    private static String text(Response value) {
        return value == null ? null : value.toString();
    }

    private static StreamId id(Response value) {
        return value == null ? null : StreamId.parse(value.toString());
    }
}
