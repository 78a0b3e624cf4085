package dev.quiver.contract.redis;

import java.util.ArrayList;
import java.util.List;

import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import dev.quiver.contract.cursor.TopicPosition;

/**
 * Reads the Redis layout of a topic (docs/redis-layout.md) back into values: the one place that knows how a meta hash,
 * a stream entry and a stored entity are laid out, for every service. Writing is the append script's alone.
 */
public final class TopicLayout {

    /** History after a position, with the facts it was read under (the events-after script's reply). */
    public record History(TopicMeta meta, List<StreamEntry> entries) {
    }

    /** One entity's state as stored: the id of the event that last set it, and its data JSON. */
    public record StoredEntity(StreamId id, String data) {
    }

    private TopicLayout() {
    }

    /** {@code HMGET <meta> epoch cursor floor}: read with {@link #meta(Response)}. */
    public static Request metaRead(String topic) {
        return Request.cmd(Command.HMGET).arg(new TopicKeys(topic).meta()).arg("epoch").arg("cursor").arg("floor");
    }

    /** The reply of {@link #metaRead(String)}. */
    public static TopicMeta meta(Response reply) {
        return new TopicMeta(text(reply.get(0)), id(reply.get(1)), id(reply.get(2)));
    }

    /** The reply of the events-after script: {@code [epoch, cursor, floor, entries]}. */
    public static History history(Response reply) {
        return new History(new TopicMeta(text(reply.get(0)), id(reply.get(1)), id(reply.get(2))),
                entries(reply.get(3)));
    }

    /** A list of stream entries, as XRANGE and each stream of an XREAD reply give them. */
    public static List<StreamEntry> entries(Response entries) {
        List<StreamEntry> decoded = new ArrayList<>(entries.size());
        for (Response entry : entries) {
            decoded.add(entry(entry));
        }
        return decoded;
    }

    /** One stream entry: {@code [id, [field, value, ...]]}. */
    public static StreamEntry entry(Response entry) {
        Response flat = entry.get(1);
        List<String> fields = new ArrayList<>(flat.size());
        for (Response field : flat) {
            fields.add(field.toString());
        }
        return new StreamEntry(StreamId.parse(entry.get(0).toString()), fields);
    }

    /** The position a state read reports, from its {@code epoch} and {@code cursor} replies. */
    public static TopicPosition position(Response epoch, Response cursor) {
        return new TopicMeta(text(epoch), id(cursor), null).position();
    }

    /** An entity's stored value: {@code "<id> <data>"}. */
    public static StoredEntity entity(String stored) {
        int space = stored.indexOf(' ');
        return new StoredEntity(StreamId.parse(stored.substring(0, space)), stored.substring(space + 1));
    }

    private static String text(Response value) {
        return value == null ? null : value.toString();
    }

    private static StreamId id(Response value) {
        return value == null ? null : StreamId.parse(value.toString());
    }
}
