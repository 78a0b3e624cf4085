package dev.quiver.edge;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.Value;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.quiver.contract.event.EventJson;
import dev.quiver.contract.event.EventValidator;
import dev.quiver.contract.event.IdempotencyKeys;
import dev.quiver.contract.redis.AppendRequest;
import dev.quiver.contract.redis.AppendResult;
import dev.quiver.testkit.BrokerTestResource;
import dev.quiver.testkit.EveryBroker;

/**
 * WebSocket publish keeps data exactly and validates as HTTP ingest does (#15 defects 2, 6 and 15), and MessagePack
 * round-trips what JSON can express.
 */
@QuarkusTest
@WithTestResource(BrokerTestResource.class)
@EveryBroker
class WsDataTest extends EdgeTestSupport {

    private static final String DATA = "[1.10,1e5,1E400,-1e-400,100000000000000000000000000000000000001.5]";

    @Test
    void jsonPublishStoresAndServesTheDataExactly() {
        String topic = freshTopic("ws-exact");
        try (WsTestClient client = new WsTestClient(root)) {
            client.send("{\"op\":\"subscribe\",\"topic\":\"" + topic + "\",\"ref\":\"s\"}");
            client.nextOp("subscribed", WAIT);
            client.send("{\"op\":\"publish\",\"topic\":\"" + topic + "\",\"event\":{\"type\":\"t\",\"data\": " + DATA
                    + " },\"ref\":\"p\"}");
            client.nextOps(WAIT, "published", "event");
            assertThat(storedData(topic)).containsExactly(DATA);
            assertThat(client.texts).anySatisfy(text -> assertThat(text).contains("\"data\":" + DATA + ","));
        }
        String polled = given().queryParam("topic", topic).queryParam("since", "-").queryParam("timeout", 0)
                .get("/v1/poll").then().statusCode(200).extract().asString();
        assertThat(polled).contains("\"data\":" + DATA + ",");
    }

    @Test
    void aRetryOverHttpOfAWebSocketPublishIsRecognised() {
        String topic = freshTopic("ws-retry");
        String id;
        try (WsTestClient client = new WsTestClient(root)) {
            client.send("{\"op\":\"publish\",\"topic\":\"" + topic + "\",\"idempotencyKey\":\"k-1\",\"event\":"
                    + "{\"type\":\"t\",\"key\":\"a\",\"data\":" + DATA + "},\"ref\":\"p\"}");
            id = client.nextOp("published", WAIT).get("id").asText();
        }
        // What event-ingest does with the same event POSTed with Idempotency-Key: k-1 (same classes, same script).
        byte[] httpBody = ("{ \"type\": \"t\", \"key\": \"a\", \"data\": " + DATA.replace(",", ", ") + " }")
                .getBytes(StandardCharsets.UTF_8);
        AppendResult retry = writer.append(topic, List.of(new AppendRequest(
                EventValidator.validate(topic, EventJson.read(httpBody), "", Set.of()), IdempotencyKeys.single("k-1"))))
                .await().atMost(Duration.ofSeconds(10));
        assertThat(retry.ids()).containsExactly(id);
        assertThat(retry.replayed()).containsExactly(true);
    }

    @Test
    void duplicateMembersAreRefusedAsOverHttp() {
        String topic = freshTopic("ws-dup");
        try (WsTestClient client = new WsTestClient(root)) {
            client.send("{\"op\":\"publish\",\"topic\":\"" + topic
                    + "\",\"event\":{\"type\":\"t\",\"data\":{\"a\":1,\"a\":2}},\"ref\":\"p\"}");
            JsonNode error = client.nextOp("error", WAIT);
            assertThat(error.get("code").asText()).isEqualTo("malformed-json");
            assertThat(error.get("message").asText()).contains("Duplicate");
        }
        try (WsTestClient client = new WsTestClient(root, "quiver.v1.msgpack")) {
            client.sendBinary(msgpack(p -> {
                p.packMapHeader(4).packString("op").packString("publish").packString("topic").packString(topic);
                p.packString("ref").packString("p").packString("event").packMapHeader(3);
                p.packString("type").packString("t").packString("data").packInt(1).packString("data").packInt(2);
            }));
            assertThat(client.nextOp("error", WAIT).get("code").asText()).isEqualTo("malformed-json");
        }
        assertThat(storedData(topic)).isEmpty();
    }

    @Test
    void subscribedCarriesADashForATopicWithoutHistory() {
        String topic = freshTopic("ws-empty");
        try (WsTestClient client = new WsTestClient(root)) {
            client.send("{\"op\":\"subscribe\",\"topic\":\"" + topic + "\",\"ref\":\"a\"}");
            assertThat(client.nextOp("subscribed", WAIT).get("cursor").asText()).isEqualTo("-");
            client.send("{\"op\":\"unsubscribe\",\"topic\":\"" + topic + "\"}");
            client.send("{\"op\":\"subscribe\",\"topic\":\"" + topic + "\",\"since\":\"-\",\"ref\":\"b\"}");
            JsonNode subscribed = client.nextOp("subscribed", WAIT);
            assertThat(subscribed.get("cursor").isTextual()).isTrue();
            assertThat(subscribed.get("cursor").asText()).isEqualTo("-");
        }
    }

    @Test
    void messagePackRoundTripsWhatJsonCanExpress() throws IOException {
        String topic = freshTopic("ws-msgpack");
        byte[] data = msgpack(p -> {
            p.packArrayHeader(9);
            p.packDouble(1.1).packFloat(1.5f).packLong(-42).packBigInteger(new BigInteger("18446744073709551615"));
            p.packDouble(-0.0).packDouble(100000.0).packString("é\n\"").packNil();
            p.packMapHeader(1).packString("k").packBoolean(true);
        });
        try (WsTestClient client = new WsTestClient(root, "quiver.v1.msgpack")) {
            client.sendBinary(msgpack(p -> {
                p.packMapHeader(4).packString("op").packString("subscribe").packString("topic").packString(topic);
                p.packString("ref").packInt(7).packString("since").packString("-");
            }));
            assertThat(client.nextOp("subscribed", WAIT).get("ref").asText()).isEqualTo("7");
            client.sendBinary(msgpack(p -> {
                p.packMapHeader(4).packString("op").packString("publish").packString("topic").packString(topic);
                p.packString("ref").packString("p").packString("event").packMapHeader(2);
                p.packString("type").packString("t").packString("data");
                p.writePayload(data);
            }));
            client.nextOps(WAIT, "published", "event");
            assertThat(storedData(topic)).containsExactly(
                    "[1.1,1.5,-42,18446744073709551615,-0.0,100000.0,\"é\\n\\\"\",null,{\"k\":true}]");
            byte[] eventFrame = client.binaries.stream().filter(f -> dataOf(f) != null).findFirst().orElseThrow();
            assertThat(dataOf(eventFrame)).isEqualTo(MessagePack.newDefaultUnpacker(data).unpackValue());
        }
    }

    @Test
    void numbersBeyondFloat64ReachMessagePackSubscribersAsFloats() {
        String topic = freshTopic("ws-huge");
        try (WsTestClient client = new WsTestClient(root, "quiver.v1.msgpack")) {
            client.send("{\"op\":\"subscribe\",\"topic\":\"" + topic + "\",\"ref\":\"s\"}");
            client.nextOp("subscribed", WAIT);
            publish(topic, DATA);
            client.nextOp("event", WAIT);
            Value value = dataOf(client.binaries.stream().filter(f -> dataOf(f) != null).findFirst().orElseThrow());
            assertThat(value.toString()).isEqualTo("[1.1,100000.0,Infinity,-0.0,1.0E38]");
        }
    }

    @Test
    void messagePackValuesWithoutJsonFormAreRefused() {
        String topic = freshTopic("ws-nojson");
        try (WsTestClient client = new WsTestClient(root, "quiver.v1.msgpack")) {
            for (Packing bad : List.<Packing>of(p -> p.packDouble(Double.NaN),
                    p -> p.packFloat(Float.POSITIVE_INFINITY),
                    p -> p.packBinaryHeader(1).writePayload(new byte[]{1}),
                    p -> p.packMapHeader(1).packInt(1).packInt(2),
                    p -> p.packExtensionTypeHeader((byte) 1, 1).writePayload(new byte[]{1}))) {
                client.sendBinary(msgpack(p -> {
                    p.packMapHeader(4).packString("op").packString("publish").packString("topic").packString(topic);
                    p.packString("ref").packString("p").packString("event").packMapHeader(2);
                    p.packString("type").packString("t").packString("data");
                    bad.pack(p);
                }));
                JsonNode answer = client.next(WAIT);
                assertThat(answer.get("code").asText()).as(answer.toString()).isEqualTo("malformed-json");
                // Undecodable frames in a row end the connection (4400): a good one in between resets the count.
                client.sendBinary(msgpack(p -> p.packMapHeader(1).packString("op").packString("ping")));
                assertThat(client.nextOp("pong", WAIT)).isNotNull();
            }
        }
        assertThat(storedData(topic)).isEmpty();
    }

    /** The {@code event.data} of an event message, or {@code null} for other messages. */
    private static Value dataOf(byte[] frame) {
        try (MessageUnpacker in = MessagePack.newDefaultUnpacker(frame)) {
            Value message = in.unpackValue();
            Value event = message.asMapValue().map().get(org.msgpack.value.ValueFactory.newString("event"));
            return event == null
                    ? null
                    : event.asMapValue().map().get(org.msgpack.value.ValueFactory.newString("data"));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    interface Packing {

        void pack(MessageBufferPacker packer) throws IOException;
    }

    private static byte[] msgpack(Packing packing) {
        try (MessageBufferPacker packer = MessagePack.newDefaultBufferPacker()) {
            packing.pack(packer);
            return packer.toByteArray();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
