package dev.quiver.edge.ws;

import io.quarkus.websockets.next.CloseReason;

/** The close codes of the WebSocket protocol (docs/protocol.md). */
final class WsCloseCodes {

    static final CloseReason TOKEN_EXPIRED = new CloseReason(1008, "token expired: reconnect with a fresh one");
    static final CloseReason REVOKED = new CloseReason(1008, "credential revoked");
    static final CloseReason TOO_BIG = new CloseReason(1009, "message too big");
    static final CloseReason INTERNAL = new CloseReason(1011, "internal error");
    static final CloseReason RESTART = new CloseReason(1012, "service restart: reconnect elsewhere");
    static final CloseReason SLOW = new CloseReason(4008, "slow consumer");
    static final CloseReason PONG_TIMEOUT = new CloseReason(4408, "no pong within the ping interval");
    static final CloseReason TOO_MANY = new CloseReason(4029, "too many connections");
    static final CloseReason PROTOCOL = new CloseReason(4400, "protocol error: repeated malformed frames");

    private WsCloseCodes() {
    }
}
