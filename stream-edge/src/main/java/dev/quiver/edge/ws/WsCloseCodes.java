package dev.quiver.edge.ws;

/** The close codes of the WebSocket protocol (docs/protocol.md). */
final class WsCloseCodes {

    /** A close frame's status code and reason. */
    record Close(short code, String reason) {

        Close(int code, String reason) {
            this((short) code, reason);
        }
    }

    static final Close TOKEN_EXPIRED = new Close(1008, "token expired: reconnect with a fresh one");
    static final Close REVOKED = new Close(1008, "credential revoked");
    static final Close TOO_BIG = new Close(1009, "message too big");
    static final Close INTERNAL = new Close(1011, "internal error");
    static final Close RESTART = new Close(1012, "service restart: reconnect elsewhere");
    static final Close SLOW = new Close(4008, "slow consumer");
    static final Close PONG_TIMEOUT = new Close(4408, "no pong within the ping interval");
    static final Close TOO_MANY = new Close(4029, "too many connections");
    static final Close PROTOCOL = new Close(4400, "protocol error: repeated malformed frames");

    private WsCloseCodes() {
    }
}
