package dev.quiver.edge.redis;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;

import io.vertx.core.Future;
import io.vertx.redis.client.Redis;

import dev.quiver.contract.cursor.TopicPosition;
import dev.quiver.contract.redis.LuaScript;
import dev.quiver.contract.redis.StreamEntry;
import dev.quiver.contract.redis.StreamId;
import dev.quiver.contract.redis.TopicKeys;
import dev.quiver.contract.redis.TopicLayout;
import dev.quiver.contract.redis.TopicMeta;
import dev.quiver.edge.broker.HistorySource;
import dev.quiver.edge.event.EncodedEvent;
import dev.quiver.edge.metrics.EdgeMetrics;

/** A topic's past in Redis: its meta hash, and its stream read with the events-after script. */
@ApplicationScoped
@Typed(RedisHistory.class)
public class RedisHistory implements HistorySource {

    private final Redis redis;
    private final io.vertx.mutiny.redis.client.Redis scripts;
    private final EdgeMetrics metrics;

    public RedisHistory(Redis redis, io.vertx.mutiny.redis.client.Redis scripts, EdgeMetrics metrics) {
        this.redis = redis;
        this.scripts = scripts;
        this.metrics = metrics;
    }

    @Override
    public Future<TopicMeta> meta(String topic, TopicPosition head) {
        metrics.redisRead("replay");
        return redis.send(TopicLayout.metaRead(topic)).map(TopicLayout::meta);
    }

    @Override
    public Future<Page> range(String topic, StreamId after, StreamId upTo, int count) {
        metrics.redisRead("replay");
        TopicKeys keys = new TopicKeys(topic);
        return Future.fromCompletionStage(LuaScript.EVENTS_AFTER.run(scripts, List.of(keys.meta(), keys.stream()),
                List.of(after.toString(), Integer.toString(count))).subscribeAsCompletionStage()).map(answer -> {
                    TopicLayout.History history = TopicLayout.history(answer.getDelegate());
                    List<EncodedEvent> events = new ArrayList<>(history.entries().size());
                    for (StreamEntry entry : history.entries()) {
                        if (upTo != null && upTo.isBefore(entry.id())) {
                            break;
                        }
                        events.add(EncodedEvent.of(topic, history.meta().epoch(), entry.id(), entry.fields()));
                    }
                    return new Page(history.meta(), events, history.entries().size() == count);
                });
    }
}
