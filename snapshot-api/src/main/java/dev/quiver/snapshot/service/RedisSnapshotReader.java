package dev.quiver.snapshot.service;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Response;

import dev.quiver.contract.cursor.TopicPosition;
import dev.quiver.contract.event.EventCodec;
import dev.quiver.contract.problem.ProblemException;
import dev.quiver.contract.redis.LuaScript;
import dev.quiver.contract.redis.StreamEntry;
import dev.quiver.contract.redis.StreamId;
import dev.quiver.contract.redis.TopicKeys;
import dev.quiver.contract.redis.TopicLayout;
import dev.quiver.contract.redis.TopicMeta;

/**
 * The snapshot reads on Redis. Every read is one short read-only script, so what it returns is consistent with the
 * cursor it reports, and no read holds Redis longer than one bounded page (reads never block writes for long).
 */
@ApplicationScoped
@Typed(RedisSnapshotReader.class)
public class RedisSnapshotReader implements SnapshotReader {

    private final Redis redis;

    public RedisSnapshotReader(Redis redis) {
        this.redis = redis;
    }

    @Override
    public Uni<StatePage> page(String topic, String after, int limit) {
        TopicKeys keys = new TopicKeys(topic);
        return LuaScript.SNAPSHOT_PAGE.run(redis, List.of(keys.meta(), keys.index(), keys.state()),
                List.of(after == null ? "" : after, Integer.toString(limit)))
                .onFailure(e -> !(e instanceof ProblemException)).transform(RedisSnapshotReader::unavailable)
                .map(reply -> {
                    List<Entity> entities = new ArrayList<>((reply.size() - 3) / 2);
                    for (int i = 3; i + 1 < reply.size(); i += 2) {
                        Response value = reply.get(i + 1);
                        if (value != null) {
                            entities.add(stored(reply.get(i).toString(), value.toString()));
                        }
                    }
                    return new StatePage(position(reply.get(0), reply.get(1)), entities, reply.get(2).toInteger() == 1);
                });
    }

    @Override
    public Uni<EntityAt> entity(String topic, String key) {
        TopicKeys keys = new TopicKeys(topic);
        return LuaScript.ENTITY.run(redis, List.of(keys.meta(), keys.state()), List.of(key))
                .onFailure(e -> !(e instanceof ProblemException)).transform(RedisSnapshotReader::unavailable)
                .map(reply -> new EntityAt(position(reply.get(0), reply.get(1)),
                        reply.get(2) == null ? null : stored(key, reply.get(2).toString())));
    }

    @Override
    public Uni<History> eventsAfter(String topic, StreamId after, int limit) {
        TopicKeys keys = new TopicKeys(topic);
        return LuaScript.EVENTS_AFTER.run(redis, List.of(keys.meta(), keys.stream()),
                List.of(after.toString(), Integer.toString(limit)))
                .onFailure(e -> !(e instanceof ProblemException)).transform(RedisSnapshotReader::unavailable)
                .map(reply -> {
                    TopicLayout.History history = TopicLayout.history(reply.getDelegate());
                    List<EventJson> events = new ArrayList<>(history.entries().size());
                    for (StreamEntry entry : history.entries()) {
                        events.add(new EventJson(entry.id(), EventCodec.encode(topic, entry.id(), entry.fields())));
                    }
                    TopicMeta meta = history.meta();
                    return new History(meta.epoch(), meta.cursor(), meta.floor(), events);
                });
    }

    @Override
    public Uni<TopicPosition> version(String topic) {
        return page(topic, null, 0).map(StatePage::position);
    }

    private static Entity stored(String key, String stored) {
        TopicLayout.StoredEntity entity = TopicLayout.entity(stored);
        return new Entity(key, entity.id(), entity.id().time(), entity.data());
    }

    private static TopicPosition position(Response epoch, Response cursor) {
        return TopicLayout.position(epoch == null ? null : epoch.getDelegate(),
                cursor == null ? null : cursor.getDelegate());
    }

    private static Throwable unavailable(Throwable failure) {
        return ProblemException.unavailable("Redis is unavailable", 1, failure);
    }
}
