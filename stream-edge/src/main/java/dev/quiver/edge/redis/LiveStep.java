package dev.quiver.edge.redis;

import dev.quiver.contract.redis.LiveMessage;
import dev.quiver.contract.redis.StreamId;

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
}
