package dev.quiver.contract.nats;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.ZonedDateTime;
import java.util.Base64;

import dev.quiver.contract.event.Topics;
import dev.quiver.contract.redis.StreamId;

/**
 * Where Quiver's data lives in JetStream (docs/nats.md): the subjects of events and floors, event ids from stream
 * sequences, and the epoch of a stream. Pure functions: every service derives the same names from the same settings.
 *
 * @param stream the events' stream
 * @param prefix the first token of every subject
 */
public record NatsLayout(String stream, String prefix) {

    /** A topic never contains it, so a topic's dots can become it and the whole topic one subject token. */
    private static final char DOT = '~';
    private static final Base64.Encoder KEY_ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder KEY_DECODER = Base64.getUrlDecoder();
    private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

    /** An event's topic and key, read back from its subject. */
    public record Address(String topic, String key) {
    }

    public NatsLayout {
        if (stream == null || !stream.matches("[A-Za-z0-9_-]{1,32}")) {
            throw new IllegalArgumentException("quiver.nats.stream must be 1 to 32 of A-Z a-z 0-9 _ -, not " + stream);
        }
        if (prefix == null || !prefix.matches("[A-Za-z0-9_-]{1,32}")) {
            throw new IllegalArgumentException(
                    "quiver.nats.subject-prefix must be 1 to 32 of A-Z a-z 0-9 _ -, not " + prefix);
        }
    }

    /** The stream of floors, one message per topic: the events' stream name with {@code _META}. */
    public String metaStream() {
        return stream + "_META";
    }

    /** Every event subject: the events' stream captures this. */
    public String eventSubjects() {
        return prefix + ".e.>";
    }

    /** Every floor subject: the meta stream captures this. */
    public String floorSubjects() {
        return prefix + ".f.>";
    }

    /** The subject of an event of {@code topic} with {@code key} ({@code null}: a history-only event). */
    public String eventSubject(String topic, String key) {
        return prefix + ".e." + topicToken(topic) + "." + (key == null
                ? "n"
                : "k" + KEY_ENCODER.encodeToString(
                        key.getBytes(StandardCharsets.UTF_8)));
    }

    /** The filter of every event of {@code topic}: its history. */
    public String topicFilter(String topic) {
        return prefix + ".e." + topicToken(topic) + ".*";
    }

    /** The subject holding {@code topic}'s floor. */
    public String floorSubject(String topic) {
        return prefix + ".f." + topicToken(topic);
    }

    /** The stream of presence records, one message per topic and pod: the events' stream name with {@code _PRESENCE}. */
    public String presenceStream() {
        return stream + "_PRESENCE";
    }

    /** Every presence subject: the presence stream captures this. */
    public String presenceSubjects() {
        return prefix + ".p.>";
    }

    /** The subject of {@code pod}'s presence record in {@code topic}. */
    public String presenceSubject(String topic, String pod) {
        return prefix + ".p." + topicToken(topic) + "."
                + KEY_ENCODER.encodeToString(pod.getBytes(StandardCharsets.UTF_8));
    }

    /** The filter of every pod's presence record in {@code topic}. */
    public String presenceFilter(String topic) {
        return prefix + ".p." + topicToken(topic) + ".*";
    }

    /** The pod of a presence subject, or {@code null} when {@code subject} is not one of this layout's. */
    public String presencePod(String subject) {
        String head = prefix + ".p.";
        if (subject == null || !subject.startsWith(head)) {
            return null;
        }
        int dot = subject.indexOf('.', head.length());
        if (dot < 0 || subject.indexOf('.', dot + 1) >= 0) {
            return null;
        }
        try {
            return new String(KEY_DECODER.decode(subject.substring(dot + 1)), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException notBase64) {
            return null;
        }
    }

    /**
     * The topic and key of an event subject, or {@code null} when {@code subject} is not one of this layout's (another
     * prefix, a malformed token): a foreign message on the stream is skipped, never taken for an event.
     */
    public Address address(String subject) {
        String head = prefix + ".e.";
        if (subject == null || !subject.startsWith(head)) {
            return null;
        }
        int dot = subject.indexOf('.', head.length());
        if (dot < 0 || subject.indexOf('.', dot + 1) >= 0) {
            return null;
        }
        String topic = subject.substring(head.length(), dot).replace(DOT, '.');
        String keyToken = subject.substring(dot + 1);
        if (!Topics.isValid(topic)) {
            return null;
        }
        if ("n".equals(keyToken)) {
            return new Address(topic, null);
        }
        if (!keyToken.startsWith("k")) {
            return null;
        }
        try {
            return new Address(topic, new String(KEY_DECODER.decode(keyToken.substring(1)), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException notBase64) {
            return null;
        }
    }

    /** The event id of stream sequence {@code sequence}: {@code 0-<sequence>}. */
    public static StreamId id(long sequence) {
        return new StreamId(0, sequence);
    }

    /**
     * The stream sequence a position stands for: positions are "after this sequence". Ids of the Redis form (a
     * millisecond part) are not positions in a stream and are refused.
     */
    public static long sequence(StreamId id) {
        if (id.millis() != 0) {
            throw new IllegalArgumentException("not a JetStream position: " + id);
        }
        return id.sequence();
    }

    /**
     * The epoch of a stream created at {@code created}: a stream deleted and created again (its sequence restarting at
     * 1) has another one, so cursors of the old history are recognised as such.
     */
    public String epoch(ZonedDateTime created) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
        byte[] digest = sha.digest((stream + "\n" + created.toInstant().getEpochSecond() + "."
                + created.toInstant().getNano()).getBytes(StandardCharsets.UTF_8));
        // 8 characters of 5 bits: the first 40 bits of the digest.
        long bits = 0;
        for (int i = 0; i < 5; i++) {
            bits = (bits << 8) | (digest[i] & 0xff);
        }
        char[] epoch = new char[8];
        for (int i = 7; i >= 0; i--) {
            epoch[i] = BASE32[(int) (bits & 31)];
            bits >>>= 5;
        }
        return new String(epoch);
    }

    private static String topicToken(String topic) {
        if (!Topics.isValid(topic)) {
            throw new IllegalArgumentException("not a topic: " + topic);
        }
        return topic.replace('.', DOT);
    }
}
