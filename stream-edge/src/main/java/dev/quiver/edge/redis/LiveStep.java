package dev.quiver.edge.redis;

import dev.quiver.contract.redis.LiveMessage;
import dev.quiver.contract.redis.StreamId;
import dev.quiver.contract.redis.TopicMeta;

/**
 * What a Pub/Sub live reader does with one message of a topic's live channel, given what it last pushed: the merge of
 * an at-most-once channel with the stream that makes delivery exactly once. A pure function; {@code LiveStepTest} lists
 * every case.
 * <ul>
 * <li>another epoch than the one followed: the history was replaced ({@link Replaced});</li>
 * <li>an id at or before the last one pushed: already pushed, or older than where following started ({@link Skip});</li>
 * <li>the entry right after the last one pushed (its previous id is the last id, or it is a history's first entry
 * and nothing was pushed): push it ({@link Push});</li>
 * <li>anything else: entries were missed (a dropped message, a reconnect, a slot move); read them from the stream, up
 * to and including this one, and push them in order ({@link Fill}).</li>
 * </ul>
 */
public sealed interface LiveStep {

    /** Push the message's entry: it is the next one. */
    record Push() implements LiveStep {
    }

    /** Drop the message: its entry was pushed already, or is not after where following started. */
    record Skip() implements LiveStep {
    }

    /** Read the stream's entries after {@code after} up to {@code upTo} (inclusive) and push them instead. */
    record Fill(StreamId after, StreamId upTo) implements LiveStep {
    }

    /** The message belongs to another history: the topic's history was replaced (its keys lost, a new epoch). */
    record Replaced() implements LiveStep {
    }

    /**
     * Decides what to do with {@code message}.
     *
     * @param epoch the epoch being followed, or {@code null} when the topic had no history when following started
     * @param last the id of the last entry pushed (or where following started; {@link StreamId#ZERO} for nothing)
     */
    static LiveStep next(String epoch, StreamId last, LiveMessage message) {
        if (epoch != null && !epoch.equals(message.epoch())) {
            return new Replaced();
        }
        if (!last.isBefore(message.id())) {
            return new Skip();
        }
        StreamId previous = message.previous();
        if (previous == null ? last.equals(StreamId.ZERO) : previous.equals(last)) {
            return new Push();
        }
        return new Fill(last, message.id());
    }

    /**
     * Whether the history a reader followed up to {@code last} is gone, judged from the topic's facts read with a page
     * of it (a gap fill, a catch-up after a resubscribe): then subscribers must reload, since the stream can no longer
     * give them what comes after what they were sent.
     * <ul>
     * <li>another epoch, or none: the keys were lost or deleted and the history begun anew;</li>
     * <li>the last entry appended is before {@code last}: a failover lost acknowledged writes this pod had already
     * delivered (asynchronous replication), so the new primary's next ids could repeat or skip;</li>
     * <li>retention's floor is past {@code last}: entries after it may have been trimmed before they were read.</li>
     * </ul>
     * A reader that followed a topic without history ({@code epoch == null}) adopts the first epoch it sees; only a
     * trim before it read anything makes that lost.
     */
    static boolean lost(String epoch, StreamId last, TopicMeta facts) {
        if (epoch == null) {
            return facts.floor() != null && last.isBefore(facts.floor());
        }
        if (!epoch.equals(facts.epoch())) {
            return true;
        }
        StreamId cursor = facts.cursor() == null ? StreamId.ZERO : facts.cursor();
        if (cursor.isBefore(last)) {
            return true;
        }
        return facts.floor() != null && last.isBefore(facts.floor());
    }
}
