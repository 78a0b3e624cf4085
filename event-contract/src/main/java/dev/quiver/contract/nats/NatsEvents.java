package dev.quiver.contract.nats;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.nats.client.impl.Headers;

import dev.quiver.contract.event.EventCodec;
import dev.quiver.contract.redis.StreamId;

/**
 * A stored JetStream message read back as the event it is (docs/nats.md): its fields under the names a Redis stream
 * entry has, so that one codec ({@link EventCodec}) writes every event subscribers see, whichever broker stored it.
 */
public final class NatsEvents {

    private NatsEvents() {
    }

    /** An event read from JetStream: its topic, position, storage time and Redis-named fields. */
    public record Stored(String topic, StreamId id, long timeMillis, List<String> fields) {

        /** The event's JSON, as subscribers and snapshots show it. */
        public byte[] json() {
            return EventCodec.encode(topic, id, timeMillis, fields);
        }

        /** Whether it removes its key's entity. */
        public boolean delete() {
            return "delete".equals(field("op"));
        }

        /** A field's value, or {@code null}. */
        public String field(String name) {
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                if (fields.get(i).equals(name)) {
                    return fields.get(i + 1);
                }
            }
            return null;
        }
    }

    /**
     * The event of a message on {@code subject}, or {@code null} when the subject is not one of {@code layout}'s event
     * subjects (a foreign message on the stream is skipped, never taken for an event).
     */
    public static Stored read(NatsLayout layout, String subject, Headers headers, byte[] data, long sequence,
            long timeMillis) {
        NatsLayout.Address address = layout.address(subject);
        if (address == null) {
            return null;
        }
        List<String> fields = new ArrayList<>(10);
        fields.add("type");
        fields.add(header(headers, NatsEventWriter.TYPE, ""));
        if (address.key() != null) {
            fields.add("key");
            fields.add(address.key());
            fields.add("op");
            fields.add(header(headers, NatsEventWriter.OP, "upsert"));
        }
        fields.add("data");
        fields.add(data == null || data.length == 0 ? "null" : new String(data, StandardCharsets.UTF_8));
        String traceparent = header(headers, NatsEventWriter.TRACEPARENT, null);
        if (traceparent != null) {
            fields.add("traceparent");
            fields.add(traceparent);
        }
        return new Stored(address.topic(), NatsLayout.id(sequence), timeMillis, fields);
    }

    private static String header(Headers headers, String name, String absent) {
        String value = headers == null ? null : headers.getFirst(name);
        return value == null ? absent : value;
    }
}
