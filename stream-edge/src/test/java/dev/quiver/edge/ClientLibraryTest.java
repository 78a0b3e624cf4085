package dev.quiver.edge;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.quiver.testkit.RedisTestResource;

/** The edge serves the browser client and tells browsers which pod answered. */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
class ClientLibraryTest extends EdgeTestSupport {

    private static final String ORIGIN = "http://localhost:8080";
    /** Spelled out, not taken from the code: the header is part of the public protocol. */
    private static final String POD = "Quiver-Pod";

    @Test
    void servesTheClientModuleToOtherOrigins() {
        given().header("Origin", ORIGIN).get("/quiver.js").then().statusCode(200)
                .contentType(containsString("javascript"))
                .header("Access-Control-Allow-Origin", ORIGIN)
                .body(containsString("export class Quiver"));
    }

    @Test
    void everyAnswerNamesThePodAndBrowsersMayReadIt() {
        given().header("Origin", ORIGIN).queryParam("topic", freshTopic("pod")).queryParam("timeout", 0)
                .get("/v1/poll").then().statusCode(200)
                .header(POD, equalTo("edge-test"))
                .header("Access-Control-Expose-Headers", containsString(POD));
        given().get("/v1/stream").then().statusCode(400).header(POD, equalTo("edge-test"));
    }
}
