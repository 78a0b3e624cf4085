package dev.quiver.edge;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.quiver.testkit.BrokerTestResource;

/** The edge serves the browser client and tells browsers which pod answered. */
@QuarkusTest
@WithTestResource(BrokerTestResource.class)
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
    void theVersionedCopyIsCachedForGoodAndItsIntegrityHashIsDocumented() throws Exception {
        Path client = Path.of("..", "clients", "js");
        String version = new ObjectMapper().readTree(Files.readString(client.resolve("package.json"))).path("version")
                .asText();
        byte[] versioned = given().get("/quiver/" + version + "/quiver.js").then().statusCode(200)
                .contentType(containsString("javascript"))
                .header("Cache-Control", "public, max-age=31536000, immutable").extract().asByteArray();
        byte[] current = given().get("/quiver.js").then().statusCode(200).header("Cache-Control", "no-cache")
                .extract().asByteArray();
        // One source: the package's file is what every URL serves.
        assertThat(versioned).isEqualTo(current).isEqualTo(Files.readAllBytes(client.resolve("quiver.js")));
        String integrity = "sha384-" + Base64.getEncoder().encodeToString(
                MessageDigest.getInstance("SHA-384").digest(versioned));
        assertThat(Files.readString(Path.of("..", "docs", "client.md")))
                .as("docs/client.md gives the integrity hash of /quiver/%s/quiver.js (%s). A changed client is a new"
                        + " version: bump clients/js/package.json and quiver.client.version in stream-edge/pom.xml,"
                        + " then document the new hash", version, integrity)
                .contains(integrity);
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
