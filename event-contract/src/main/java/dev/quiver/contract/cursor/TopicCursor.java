package dev.quiver.contract.cursor;

import java.util.regex.Pattern;

import dev.quiver.contract.redis.StreamId;

/**
 * A position in one topic that survives reconnects to any pod: {@code <epoch>:<ms>-<seq>}.
 * <p>
 * The epoch names one incarnation of the topic's history. It is created with the topic's first event and changes only
 * when the history is lost and started again (a flushed or replaced Redis), so a cursor from an old history is
 * recognised as such instead of being compared with ids it has nothing to do with.
 *
 * @param epoch the history incarnation, {@link #EPOCH_LENGTH} characters of lower-case base32
 * @param position the last event the holder has seen ({@link StreamId#ZERO}: none)
 */
public record TopicCursor(String epoch, StreamId position) {

    /** Length of an epoch. */
    public static final int EPOCH_LENGTH = 8;

    private static final Pattern EPOCH = Pattern.compile("[a-z2-7]{" + EPOCH_LENGTH + "}");

    public TopicCursor {
        if (epoch == null || !EPOCH.matcher(epoch).matches()) {
            throw new IllegalArgumentException("not an epoch: " + epoch);
        }
        if (position == null) {
            throw new IllegalArgumentException("position is required");
        }
    }

    /** Parses the wire form; {@link IllegalArgumentException} when it is not one. */
    public static TopicCursor parse(String text) {
        int colon = text == null ? -1 : text.indexOf(':');
        if (colon != EPOCH_LENGTH) {
            throw new IllegalArgumentException("not a cursor: " + text);
        }
        return new TopicCursor(text.substring(0, colon), StreamId.parse(text.substring(colon + 1)));
    }

    /** Whether {@code text} is a valid epoch. */
    public static boolean isEpoch(String text) {
        return text != null && EPOCH.matcher(text).matches();
    }

    @Override
    public String toString() {
        return epoch + ":" + position;
    }
}
