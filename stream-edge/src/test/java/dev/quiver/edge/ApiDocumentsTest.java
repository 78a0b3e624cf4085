package dev.quiver.edge;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.annotation.JsonSubTypes;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

import dev.quiver.edge.ws.protocol.ServerMessage;
import dev.quiver.testkit.BrokerTestResource;

/** The edge describes itself: its HTTP side in /q/openapi, its messages in the AsyncAPI document it serves. */
@QuarkusTest
@WithTestResource(BrokerTestResource.class)
class ApiDocumentsTest extends EdgeTestSupport {

    @Test
    void openApiDescribesTheStreamingEndpoints() {
        JsonPath openapi = given().accept("application/json").get("/q/openapi").then().statusCode(200).extract()
                .jsonPath();
        Map<String, Object> paths = openapi.getMap("paths");
        assertThat(paths).containsKeys("/v1/stream", "/v1/poll", "/v1/ws", "/quiver.js");
        assertThat(openapi.getList("paths.'/v1/stream'.get.parameters.name")).contains("lastEventId", "Last-Event-ID");
        assertThat(openapi.getList("paths.'/v1/stream'.get.parameters.$ref")).contains(
                "#/components/parameters/topic", "#/components/parameters/since", "#/components/parameters/presence",
                "#/components/parameters/accessToken");
        assertThat(openapi.getMap("components.parameters")).containsKeys("topic", "since", "presence", "name",
                "accessToken");
        assertThat(openapi.getMap("paths.'/v1/poll'.get.responses")).containsKeys("200", "400", "503");
        assertThat(openapi.getString("paths.'/v1/ws'.get.responses.'101'.description")).isNotBlank();
    }

    @Test
    void theAsyncApiDocumentIsServedAndNamesEveryMessage() {
        String asyncapi = given().get("/asyncapi.yaml").then().statusCode(200).extract().asString();
        assertThat(asyncapi).startsWith("asyncapi: 2.6.0");
        // Every op the server sends, and every op a client may send, is described.
        List<String> serverOps = new java.util.ArrayList<>(List.of("event", "join", "leave"));
        for (JsonSubTypes.Type type : ServerMessage.class.getAnnotation(JsonSubTypes.class).value()) {
            serverOps.add(type.name());
        }
        for (String op : serverOps) {
            assertThat(asyncapi).as(op).contains("op: {const: " + op + "}");
        }
        for (String op : List.of("subscribe", "unsubscribe", "publish", "presence", "ping")) {
            assertThat(asyncapi).as(op).contains("op: {const: " + op + "}");
        }
        for (String sse : List.of("reset", "join", "leave", "reconnect", "reauth", "slow")) {
            assertThat(asyncapi).as(sse).contains("name: " + sse);
        }
    }
}
