package dev.quiver.edge.session;

import java.util.Locale;

/** Why a client's cursor could not be honoured (docs/protocol.md): the client reloads the snapshot. */
public enum ResetReason {

    /** Older than retention: the events after it were trimmed. */
    EXPIRED,
    /** Another history of the topic (its epoch changed), or a position the topic never had. */
    UNKNOWN;

    /** The name clients see. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
