package dev.quiver.contract.redis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import io.vertx.redis.client.Response;

/**
 * The presence script's calls and replies (presence.lua, docs/presence.md): the one place that knows how a topic's
 * presence is laid out in Redis, for the edge that writes it and the services that read it.
 */
public final class PresenceLayout {

    /** The first netstring of a presence message on a topic's live channel ({@link TopicKeys#live()}). */
    private static final byte[] PREFIX = "2:p1,".getBytes(StandardCharsets.US_ASCII);

    /**
     * One change of membership, as published.
     *
     * @param join {@code true} for a join (the subject became a member), {@code false} for a leave
     * @param member the member's JSON: {@code sub}, {@code info} when it has one, {@code since} on a join
     */
    public record Change(boolean join, String member) {
    }

    /**
     * The reply to an update.
     *
     * @param leaseMissing the pod had no lease on the topic before this call: it was let go (it paused longer than the
     *        timeout) or never had one, so Redis may lack some of its members
     */
    public record Update(boolean leaseMissing, int changes) {
    }

    /**
     * One page of members.
     *
     * @param count members in all (subjects, however many connections each has)
     * @param anonymous connections without a subject, counted and never listed
     * @param members the page's member JSON objects, ordered by subject
     * @param more whether members follow the page
     */
    public record Page(long count, long anonymous, List<String> members, boolean more) {
    }

    private PresenceLayout() {
    }

    /** The script's keys for {@code topic}. */
    public static List<String> keys(String topic) {
        TopicKeys keys = new TopicKeys(topic);
        return List.of(keys.presencePods(), keys.presenceEntries(), keys.presenceRefs(), keys.presenceMembers(),
                keys.presenceIndex(), keys.presenceAnonymous(), keys.live());
    }

    /**
     * A pod's changes in one topic.
     *
     * @param pod the pod's id for this run of the process (no {@code |})
     * @param leaseMillis how long its members stay without another update
     * @param anonymous its connections without a subject, or {@code null} when unchanged
     * @param release the pod holds nothing in the topic any more: its lease and entries go
     * @param joins subjects it holds now and did not before, with their info JSON ({@code ""}: none)
     * @param leaves subjects it held and holds no more
     */
    public static List<String> updateArgs(String pod, long leaseMillis, Integer anonymous, boolean release,
            Map<String, String> joins, Collection<String> leaves) {
        List<String> args = new ArrayList<>(6 + joins.size() * 2 + leaves.size());
        args.add("update");
        args.add(pod);
        args.add(Long.toString(leaseMillis));
        args.add(anonymous == null ? "" : Integer.toString(anonymous));
        args.add(release ? "1" : "0");
        args.add(Integer.toString(joins.size()));
        joins.forEach((sub, info) -> {
            args.add(sub);
            args.add(info == null ? "" : info);
        });
        args.addAll(leaves);
        return args;
    }

    /** The reply of an update. */
    public static Update update(Response reply) {
        return new Update(reply.get(0).toInteger() == 1, reply.get(1).toInteger());
    }

    /** Reads up to {@code limit} members after the subject {@code after} ({@code null}: from the first). */
    public static List<String> pageArgs(String after, int limit) {
        return List.of("page", after == null ? "" : after, Integer.toString(limit));
    }

    /** Reads the counts only. */
    public static List<String> countArgs() {
        return List.of("count");
    }

    /** The reply of a page read. */
    public static Page page(Response reply) {
        List<String> members = new ArrayList<>();
        for (Response member : reply.get(2)) {
            if (member != null) {
                members.add(member.toString());
            }
        }
        return new Page(reply.get(0).toLong(), reply.get(1).toLong(), members, reply.get(3).toInteger() == 1);
    }

    /** The reply of a count read: a page without members. */
    public static Page count(Response reply) {
        return new Page(reply.get(0).toLong(), reply.get(1).toLong(), List.of(), false);
    }

    /** Whether a message of a live channel is a presence message (else it is an event). */
    public static boolean isPresence(byte[] payload) {
        if (payload.length < PREFIX.length) {
            return false;
        }
        for (int i = 0; i < PREFIX.length; i++) {
            if (payload[i] != PREFIX[i]) {
                return false;
            }
        }
        return true;
    }

    /** Decodes a presence message; fails with {@link IllegalArgumentException} on anything the script does not send. */
    public static List<Change> changes(byte[] payload) {
        List<String> parts = LiveMessage.netstrings(payload);
        if (parts.isEmpty() || !"p1".equals(parts.get(0)) || parts.size() % 2 != 1) {
            throw new IllegalArgumentException("not a presence message of this version");
        }
        List<Change> changes = new ArrayList<>(parts.size() / 2);
        for (int i = 1; i < parts.size(); i += 2) {
            String kind = parts.get(i);
            if (!kind.equals("j") && !kind.equals("l")) {
                throw new IllegalArgumentException("unknown presence change " + kind);
            }
            changes.add(new Change(kind.equals("j"), parts.get(i + 1)));
        }
        return changes;
    }
}
