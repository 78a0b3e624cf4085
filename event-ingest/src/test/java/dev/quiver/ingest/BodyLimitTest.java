package dev.quiver.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.quiver.testkit.BrokerTestResource;
import dev.quiver.testkit.EveryBroker;

@QuarkusTest
@WithTestResource(BrokerTestResource.class)
@EveryBroker
class BodyLimitTest extends IngestTestSupport {

    private static final int LIMIT = 256 * 1024;

    @TestHTTPResource("/")
    URI root;

    /** A valid event whose JSON body is exactly {@code size} bytes. */
    private static byte[] eventOfSize(int size) {
        String prefix = "{\"type\":\"blob\",\"data\":\"";
        String suffix = "\"}";
        return (prefix + "x".repeat(size - prefix.length() - suffix.length()) + suffix)
                .getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void bodyAtTheLimitIsAcceptedAndOneByteOverIs413() {
        String topic = freshTopic("limit");
        given().contentType("application/json").body(eventOfSize(LIMIT)).post("/v1/topics/{t}/events", topic)
                .then().statusCode(202);
        problem(given().contentType("application/json").body(eventOfSize(LIMIT + 1))
                .post("/v1/topics/{t}/events", topic).then(), 413, "payload-too-large")
                .body("limit", equalTo(LIMIT));
        assertThat(length(topic)).isEqualTo(1);
    }

    @Test
    void chunkedBodyOverTheLimitIs413() {
        String topic = freshTopic("limit-chunked");
        // An InputStream body has no known length, so it goes out chunked.
        problem(given().contentType("application/json").body(new ByteArrayInputStream(eventOfSize(LIMIT + 1)))
                .post("/v1/topics/{t}/events", topic).then(), 413, "payload-too-large");
        given().contentType("application/json").body(new ByteArrayInputStream(eventOfSize(LIMIT)))
                .post("/v1/topics/{t}/events", topic).then().statusCode(202);
        assertThat(length(topic)).isEqualTo(1);
    }

    @Test
    void hugeDeclaredLengthIsRefusedBeforeTheBodyIsSent() throws IOException {
        // Declares 1 GiB and sends nothing: the answer must come from the header alone.
        try (Socket socket = new Socket(root.getHost(), root.getPort())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/topics/t/events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 1073741824\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(response).startsWith("HTTP/1.1 413")
                    .containsIgnoringCase("content-type: application/problem+json")
                    .contains("urn:quiver:problem:payload-too-large");
        }
    }

    @Test
    void batchHasItsOwnLargerLimit() {
        String topic = freshTopic("limit-batch");
        String item = "{\"topic\":\"" + topic + "\",\"type\":\"blob\",\"data\":\"" + "x".repeat(200 * 1024) + "\"}";
        given().contentType("application/json").body(("[" + item + "," + item + "]").getBytes(StandardCharsets.UTF_8))
                .post("/v1/events").then().statusCode(202);
        StringBuilder huge = new StringBuilder("[").append(item);
        for (int i = 0; i < 20; i++) {
            huge.append(',').append(item);
        }
        problem(given().contentType("application/json")
                .body(huge.append(']').toString().getBytes(StandardCharsets.UTF_8))
                .post("/v1/events").then(), 413, "payload-too-large");
        assertThat(length(topic)).isEqualTo(2);
    }
}
