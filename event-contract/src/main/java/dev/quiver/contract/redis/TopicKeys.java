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

    /** Sorted set: pod id to the end of its presence lease in milliseconds (docs/presence.md). */
    public String presencePods() {
        return tag() + ":presence:pods";
    }

    /** Sorted set, every score 0: {@code "<pod>|<sub>"} for each subject a pod holds connections of. */
    public String presenceEntries() {
        return tag() + ":presence:entries";
    }

    /** Hash: subject to the number of pods that hold it; the subject is a member while it is above zero. */
    public String presenceRefs() {
        return tag() + ":presence:refs";
    }

    /** Hash: subject to its member JSON ({@code sub}, {@code info}, {@code since}). */
    public String presenceMembers() {
        return tag() + ":presence:members";
    }

    /** Sorted set, every score 0: the members' subjects, so that lists page in order. */
    public String presenceIndex() {
        return tag() + ":presence:index";
    }

    /** Hash: pod id to its number of connections without a subject (counted, never listed). */
    public String presenceAnonymous() {
        return tag() + ":presence:anonymous";
    }
}
