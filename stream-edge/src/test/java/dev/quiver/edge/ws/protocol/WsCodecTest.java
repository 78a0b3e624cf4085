package dev.quiver.edge.ws.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.msgpack.jackson.dataformat.MessagePackFactory;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.quiver.contract.event.EventJson;
import dev.quiver.edge.session.ResetNotice;
import dev.quiver.edge.session.ResetReason;

/** The typed protocol on the wire: server messages as docs/protocol.md shows them, client operations decoded. */
class WsCodecTest {

    private final JsonCodec json = new JsonCodec(new ObjectMapper());
    private final MessagePackCodec msgpack = new MessagePackCodec(new ObjectMapper());

    private String text(ServerMessage message) {
        return json.write(message).text();
    }

    @Test
    void serverMessagesAreWrittenWithTheirOpFirstAndWithoutAbsentMembers() {
        assertThat(text(new ServerMessage.Subscribed("r", "t", true, "-", "pod-1")))
                .isEqualTo("{\"op\":\"subscribed\",\"ref\":\"r\",\"topic\":\"t\",\"recovered\":true,\"cursor\":\"-\","
                        + "\"pod\":\"pod-1\"}");
        assertThat(text(new ServerMessage.Published(null, "1-0"))).isEqualTo("{\"op\":\"published\",\"id\":\"1-0\"}");
        assertThat(text(new ServerMessage.Pong("p"))).isEqualTo("{\"op\":\"pong\",\"ref\":\"p\"}");
        assertThat(text(new ServerMessage.Error("e", "rate-limited", "slow down", 1)))
                .isEqualTo("{\"op\":\"error\",\"ref\":\"e\",\"code\":\"rate-limited\",\"message\":\"slow down\","
                        + "\"retryAfter\":1}");
        assertThat(text(new ServerMessage.Error(null, "unknown-op", "no")))
                .isEqualTo("{\"op\":\"error\",\"code\":\"unknown-op\",\"message\":\"no\"}");
        assertThat(text(new ServerMessage.Reset(ResetNotice.of("t", ResetReason.EXPIRED))))
                .isEqualTo("{\"op\":\"reset\",\"topic\":\"t\",\"reason\":\"expired\","
                        + "\"snapshot\":\"/v1/topics/t/snapshot\"}");
    }

    @Test
    void messagePackFramesCarryTheSameStructure() throws Exception {
        ServerMessage message = new ServerMessage.Subscribed("r", "t", false, "aaaaaaaa:1-0", "p");
        byte[] packed = msgpack.write(message).binary().getBytes();
        assertThat(new ObjectMapper(new MessagePackFactory()).readTree(packed))
                .isEqualTo(new ObjectMapper().readTree(text(message)));
    }

    @Test
    void clientOperationsAreDecodedWithTheirEventNodeUntouched() {
        ClientOp op = ClientOp.read(json.read("{\"op\":\"publish\",\"topic\":\"t\",\"ref\":7,\"idempotencyKey\":\"k\","
                + "\"event\":{\"type\":\"x\",\"data\":[1.10, \"\\u00e9\"]}}"));
        assertThat(op).isInstanceOf(ClientOp.Publish.class);
        ClientOp.Publish publish = (ClientOp.Publish) op;
        assertThat(publish.ref()).isEqualTo("7");
        assertThat(publish.idempotencyKey()).isEqualTo("k");
        assertThat(EventJson.compact(publish.event().get("data"), "/data")).isEqualTo("[1.10,\"\\u00e9\"]");
        assertThat(ClientOp.read(json.read("{\"op\":\"subscribe\",\"topic\":\"t\",\"since\":\"-\"}")))
                .isEqualTo(new ClientOp.Subscribe(null, "t", "-", false));
        assertThat(ClientOp.read(json.read("{\"op\":\"unsubscribe\",\"topic\":5}")))
                .isEqualTo(new ClientOp.Unsubscribe(null, null));
        assertThat(ClientOp.read(json.read("{\"op\":\"ping\",\"ref\":\"x\"}"))).isEqualTo(new ClientOp.Ping("x"));
        assertThat(ClientOp.read(json.read("{\"op\":\"subscribe\",\"topic\":\"t\",\"presence\":true}")))
                .isEqualTo(new ClientOp.Subscribe(null, "t", null, true));
        assertThat(ClientOp.read(json.read("{\"op\":\"presence\",\"topic\":\"t\",\"after\":\"bo\",\"limit\":20}")))
                .isEqualTo(new ClientOp.Presence(null, "t", "bo", 20));
        for (String limit : List.of("2.0", "1e1", "\"2\"", "true", "99999999999")) {
            assertThatThrownBy(() -> ClientOp.read(json.read("{\"op\":\"presence\",\"topic\":\"t\",\"limit\":"
                    + limit + "}"))).as(limit).isInstanceOfSatisfying(ClientOp.Refused.class,
                            refused -> assertThat(refused.code()).isEqualTo("invalid-request"));
        }
    }

    @Test
    void refusalsSayWhichCountAsMalformed() {
        assertThatThrownBy(() -> ClientOp.read(json.read("[1]"))).isInstanceOfSatisfying(ClientOp.Refused.class,
                refused -> assertThat(refused.code()).isEqualTo("malformed-json"));
        assertThatThrownBy(() -> ClientOp.read(json.read("{\"op\":\"nope\",\"ref\":\"r\"}")))
                .isInstanceOfSatisfying(ClientOp.Refused.class, refused -> {
                    assertThat(refused.code()).isEqualTo("unknown-op");
                    assertThat(refused.ref()).isEqualTo("r");
                    assertThat(refused.malformed()).isTrue();
                });
        assertThatThrownBy(() -> ClientOp.read(json.read("{\"op\":\"subscribe\",\"topic\":\"t\",\"since\":1}")))
                .isInstanceOfSatisfying(ClientOp.Refused.class, refused -> {
                    assertThat(refused.code()).isEqualTo("invalid-cursor");
                    assertThat(refused.malformed()).isFalse();
                });
        assertThatThrownBy(() -> ClientOp.read(json.read("{\"op\":\"publish\",\"idempotencyKey\":{}}")))
                .isInstanceOfSatisfying(ClientOp.Refused.class,
                        refused -> assertThat(refused.code()).isEqualTo("invalid-request"));
    }
}
