package dev.quiver.contract.redis;

/**
 * The Redis keys of one topic (docs/redis-layout.md is the reference). Every key of a topic carries the same hash tag
 * {@code {q:t:<topic>}}, so all of them live in one Redis Cluster slot and one Lua script may touch them together.
 *
 * @param topic the topic name, already valid (topic names cannot contain braces, so the tag is unambiguous)
 */
public record TopicKeys(String topic) {

    /** The hash tag shared by all keys of the topic. */
    public String tag() {
        return "{q:t:" + topic + "}";
    }

    /** Stream: the topic's history, one entry per event. */
    public String stream() {
        return tag() + ":events";
    }

    /** Hash: entity key to {@code "<stream id> <data json>"}, the latest state of every live entity. */
    public String state() {
        return tag() + ":state";
    }

    /** Sorted set: every live entity key, all with score 0, so that snapshots can page through keys in order. */
    public String index() {
        return tag() + ":keys";
    }

    /** Hash: {@code epoch}, {@code cursor} (last appended id) and {@code floor} (first id kept after trimming). */
    public String meta() {
        return tag() + ":meta";
    }

    /**
     * Pub/Sub shard channel (not a key): every appended event, published by the append script as a {@link LiveMessage},
     * for live readers. Its name carries the tag, so in a Redis Cluster it lives on the node that owns the topic.
     */
    public String live() {
        return tag() + ":live";
    }

    /**
     * String with a TTL: one idempotency record, {@code "<fingerprint> <stream id>"}.
     *
     * @param digest hex digest of the scoped idempotency key (never the raw key: it is client input of any length)
     */
    public String idempotency(String digest) {
        return tag() + ":idem:" + digest;
    }
}
