package dev.quiver.edge.fanout;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import dev.quiver.contract.redis.LuaScript;
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
    private final io.vertx.mutiny.redis.client.Redis scripts;
    private final EdgeMetrics metrics;

    public HistoryReader(Redis redis, io.vertx.mutiny.redis.client.Redis scripts, EdgeMetrics metrics) {
        this.redis = redis;
        this.scripts = scripts;
        this.metrics = metrics;
    }

    public Future<Meta> meta(String topic) {
        metrics.redisRead("replay");
        return redis.send(Request.cmd(Command.HMGET).arg(new TopicKeys(topic).meta()).arg("epoch").arg("cursor")
                .arg("floor"))
                .map(reply -> new Meta(text(reply.get(0)), id(reply.get(1)), id(reply.get(2))));
    }

    /**
     * A page of history with the facts it was read under: {@code epoch} and {@code floor} come from the same atomic
     * read as the events, so a trim can never fall unnoticed between a retention check and the read.
     *
     * @param epoch the topic's epoch at the read
     * @param floor the first id still kept, or {@code null} when nothing was trimmed
     * @param events the events read, at most the count asked for and none after the bound
     * @param full whether the read returned as many entries as asked (more may follow)
     */
    public record Page(String epoch, StreamId floor, List<EncodedEvent> events, boolean full) {
    }

    /** Up to {@code count} events of {@code topic} after {@code after} and not after {@code upTo}. */
    public Future<Page> range(String topic, StreamId after, StreamId upTo, int count) {
        metrics.redisRead("replay");
        TopicKeys keys = new TopicKeys(topic);
        return Future.fromCompletionStage(LuaScript.EVENTS_AFTER.run(scripts, List.of(keys.meta(), keys.stream()),
                List.of(after.toString(), Integer.toString(count))).subscribeAsCompletionStage()).map(answer -> {
                    Response reply = answer.getDelegate();
                    String epoch = text(reply.get(0));
                    Response entries = reply.get(3);
                    List<EncodedEvent> events = new ArrayList<>(entries.size());
                    for (Response entry : entries) {
                        StreamId id = StreamId.parse(entry.get(0).toString());
                        if (upTo != null && upTo.isBefore(id)) {
                            break;
                        }
                        List<String> fields = new ArrayList<>(entry.get(1).size());
                        for (Response field : entry.get(1)) {
                            fields.add(field.toString());
                        }
                        events.add(EncodedEvent.of(topic, epoch, id, fields));
                    }
                    return new Page(epoch, id(reply.get(2)), events, entries.size() == count);
                });
    }

    private static String text(Response value) {
        return value == null ? null : value.toString();
    }

    private static StreamId id(Response value) {
        return value == null ? null : StreamId.parse(value.toString());
    }
}
