package dev.quiver.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.quiver.testkit.BrokerTestResource;
import dev.quiver.testkit.EveryBroker;

/** A message over 64 KiB gets a 1009 close frame however it is sent (#15 defect 11), never a bare TCP close. */
@QuarkusTest
@WithTestResource(BrokerTestResource.class)
@EveryBroker
class WsLimitsTest extends EdgeTestSupport {

    private static byte[] ping(int size) {
        String prefix = "{\"op\":\"ping\",\"ref\":\"";
        return (prefix + "x".repeat(size - prefix.length() - 2) + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    @RepeatedTest(3)
    void oneOversizeFrameSentAtOnce() {
        try (RawWs ws = new RawWs(root, 0)) {
            ws.sendFrame(0x1, true, ping(70 * 1024));
            assertThat(ws.awaitCloseCode()).isEqualTo(1009);
        }
    }

    @RepeatedTest(3)
    void oneOversizeFrameWhosePayloadIsStillComing() {
        try (RawWs ws = new RawWs(root, 0)) {
            ws.sendFrameSlowly(0x1, ping(200 * 1024), 20, 20);
            assertThat(ws.awaitCloseCode()).isEqualTo(1009);
        }
    }

    @RepeatedTest(3)
    void fragmentsAddingUpToMoreThanTheLimit() {
        try (RawWs ws = new RawWs(root, 0)) {
            byte[] message = ping(100 * 1024);
            byte[] first = java.util.Arrays.copyOfRange(message, 0, 50 * 1024);
            byte[] second = java.util.Arrays.copyOfRange(message, 50 * 1024, message.length);
            ws.sendFrame(0x1, false, first);
            ws.sendFrame(0x0, true, second);
            assertThat(ws.awaitCloseCode()).isEqualTo(1009);
        }
    }

    /**
     * Browsers offer permessage-deflate on every WebSocket. Accepting it would compress every event again for every
     * connection, with a compressor's state held per connection, where events are encoded once per pod.
     */
    @Test
    void compressionOffersAreDeclined() {
        String offer = "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits, x-webkit-deflate-frame,"
                + " deflate-frame\r\n";
        try (RawWs ws = new RawWs(root, 0, offer)) {
            assertThat(ws.handshake().toLowerCase(Locale.ROOT)).doesNotContain("sec-websocket-extensions");
            ws.sendText("{\"op\":\"ping\",\"ref\":\"1\"}");
            RawWs.Frame frame = ws.nextMessage();
            assertThat(frame.opcode()).isEqualTo(0x1);
            assertThat(new String(frame.payload(), StandardCharsets.UTF_8)).contains("\"op\":\"pong\"");
        }
    }

    @Test
    void exactlyAtTheLimitIsAnswered() {
        try (RawWs ws = new RawWs(root, 0)) {
            ws.sendFrame(0x1, true, ping(64 * 1024));
            RawWs.Frame frame = ws.nextMessage();
            assertThat(frame).isNotNull();
            assertThat(frame.opcode()).as(new String(frame.payload(), StandardCharsets.UTF_8)).isEqualTo(0x1);
            assertThat(new String(frame.payload(), StandardCharsets.UTF_8)).contains("\"op\":\"pong\"");
        }
    }
}
