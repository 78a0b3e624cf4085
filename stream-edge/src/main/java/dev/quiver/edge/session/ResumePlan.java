package dev.quiver.edge.session;

import dev.quiver.contract.cursor.TopicPosition;
import dev.quiver.contract.redis.StreamId;
import dev.quiver.contract.redis.TopicMeta;

/**
 * Where delivery of one topic starts for one subscriber: the decision behind "no gap, no duplicate", as pure
 * functions of the client's cursor, the position live delivery starts after ({@code head}: what this pod's live reader
 * has passed), and, when the two alone cannot decide, the topic's facts in Redis.
 * <p>
 * A cursor is honoured exactly ({@code recovered}) or not at all: a client is never given a partial replay presented
 * as complete. The cases, each a row of {@code ResumePlanTest}:
 * <ul>
 * <li>no cursor: live from the head, not recovered;</li>
 * <li>{@code -} (the cursor of a topic without history) while the topic still has none: live, recovered; once it has
 * history: replay all of it, as everything came after (reset {@code expired} if retention trimmed some);</li>
 * <li>a cursor of another epoch, or any epoch while the topic has no history: reset {@code unknown};</li>
 * <li>the head itself: live, recovered;</li>
 * <li>behind the head and not below the retention floor: replay to the head, recovered; below the floor: reset
 * {@code expired};</li>
 * <li>ahead of this pod's reader: live from the cursor if the topic really reached it (another pod served it), else
 * reset {@code unknown} (a position the topic never had).</li>
 * </ul>
 */
public sealed interface ResumePlan {

    /** Whether the client's cursor is honoured exactly: the missed events follow, then live ones. */
    boolean recovered();

    /** Nothing to replay: live delivery starts after {@code after}. */
    record Live(TopicPosition after, boolean recovered) implements ResumePlan {
    }

    /** Replay the events after {@code from} up to the head, then live; always recovered. */
    record Replay(TopicPosition from) implements ResumePlan {

        @Override
        public boolean recovered() {
            return true;
        }
    }

    /** The cursor cannot be honoured: the client is told {@code reason} and continues live after {@code head}. */
    record Reset(ResetReason reason, TopicPosition head) implements ResumePlan {

        @Override
        public boolean recovered() {
            return false;
        }
    }

    /**
     * Whether {@link #decide} needs the topic's facts: only a cursor of the head's epoch that is not the head itself
     * does (is it within retention? did the topic reach it?). Deciding every other case costs no Redis read.
     */
    static boolean needsFacts(TopicPosition client, TopicPosition head) {
        if (client == null || head.epoch() == null) {
            return false;
        }
        if (client.epoch() != null && !client.epoch().equals(head.epoch())) {
            return false;
        }
        return !from(client).equals(head.id());
    }

    /**
     * Decides where {@code client} resumes.
     *
     * @param client the client's cursor for the topic, or {@code null} for none
     * @param head where live delivery to the subscriber starts after
     * @param facts the topic's meta, read after {@code head} was taken; required when {@link #needsFacts} says so,
     *        ignored otherwise
     */
    static ResumePlan decide(TopicPosition client, TopicPosition head, TopicMeta facts) {
        if (client == null) {
            return new Live(head, false);
        }
        if (head.epoch() == null) {
            return client.epoch() == null ? new Live(head, true) : new Reset(ResetReason.UNKNOWN, head);
        }
        if (client.epoch() != null && !client.epoch().equals(head.epoch())) {
            return new Reset(ResetReason.UNKNOWN, head);
        }
        StreamId from = from(client);
        if (from.equals(head.id())) {
            return new Live(head, true);
        }
        if (facts == null) {
            throw new IllegalArgumentException("the topic's facts are needed to decide");
        }
        if (!head.epoch().equals(facts.epoch())) {
            // The history was replaced after the head was taken.
            return new Reset(ResetReason.UNKNOWN, head);
        }
        TopicPosition resumed = new TopicPosition(head.epoch(), from);
        if (head.id().isBefore(from)) {
            return facts.cursor() != null && !facts.cursor().isBefore(from)
                    ? new Live(resumed, true)
                    : new Reset(ResetReason.UNKNOWN, head);
        }
        if (facts.floor() != null && from.isBefore(facts.floor())) {
            return new Reset(ResetReason.EXPIRED, head);
        }
        return new Replay(resumed);
    }

    /**
     * Whether a replay may go on with a page read at {@code at}: the page's facts come from the same atomic read as its
     * events, so a history replaced or trimmed between pages is caught here, never becoming a silent gap.
     *
     * @return {@code null} to go on, else why the client must be reset
     */
    static ResetReason interrupted(TopicPosition at, String headEpoch, TopicMeta page) {
        if (!headEpoch.equals(page.epoch())) {
            return ResetReason.UNKNOWN;
        }
        if (page.floor() != null && at.id().isBefore(page.floor())) {
            return ResetReason.EXPIRED;
        }
        return null;
    }

    /** A cursor of a topic without history ({@code -}) means "before everything". */
    private static StreamId from(TopicPosition client) {
        return client.epoch() == null ? StreamId.ZERO : client.id();
    }
}
