package dev.quiver.contract.event;

import java.util.Locale;

/** What an event with a key does to the topic state. */
public enum EventOp {

    /** Replaces the entity's data (creates the entity when absent). The default for keyed events. */
    UPSERT,
    /** Removes the entity from the state; the event itself stays in the history. */
    DELETE;

    /** The lower-case name used on the wire and in Redis. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a wire name, or returns {@code null} when it is not one. */
    public static EventOp fromWire(String value) {
        if ("upsert".equals(value)) {
            return UPSERT;
        }
        if ("delete".equals(value)) {
            return DELETE;
        }
        return null;
    }
}
