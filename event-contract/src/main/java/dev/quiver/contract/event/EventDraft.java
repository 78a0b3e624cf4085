package dev.quiver.contract.event;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A validated event that has not been written yet: everything of the stored event except the stream id and time,
 * which Redis assigns when it appends it.
 *
 * @param topic the topic, already valid
 * @param type the event type
 * @param key the entity key, or {@code null} for a history-only event
 * @param op the operation on the entity, {@code null} exactly when {@code key} is {@code null}
 * @param data the event data as compact JSON text ({@code null} is the JSON literal, never a Java null)
 */
public record EventDraft(String topic, String type, String key, EventOp op, String data) {

    /**
     * A digest of everything that makes two requests "the same event". An idempotent retry must carry the same
     * fingerprint; the same idempotency key with another fingerprint is a conflict.
     */
    public String fingerprint() {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
        // Length-prefixing each part keeps ("ab","c") and ("a","bc") apart.
        for (String part : new String[]{topic, type, key == null ? "" : key, op == null ? "" : op.wire(), data}) {
            byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
            sha.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
            sha.update((byte) ':');
            sha.update(bytes);
        }
        return HexFormat.of().formatHex(sha.digest(), 0, 16);
    }
}
