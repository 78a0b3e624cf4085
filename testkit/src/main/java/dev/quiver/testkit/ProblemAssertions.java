package dev.quiver.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** What every answer to hostile input must be: never a 5xx, and a 4xx always an RFC 9457 problem. */
public final class ProblemAssertions {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ProblemAssertions() {
    }

    /**
     * Asserts that {@code response} is below 500 and, when it is 4xx, carries {@code application/problem+json} whose
     * {@code type} is a Quiver problem and whose {@code status} is the response's.
     *
     * @return the problem's slug ({@code invalid-request}, ...), or {@code null} for a success
     */
    public static String answeredOrProblem(RawRequest.Response response) {
        assertThat(response.status()).as("status of %s", FuzzValues.printable(response.text())).isLessThan(500);
        if (response.status() < 400) {
            return null;
        }
        assertThat(response.header("content-type")).as("content type of a %d", response.status())
                .startsWith("application/problem+json");
        JsonNode problem;
        try {
            problem = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("a problem body that is not JSON: " + FuzzValues.printable(response.text()), e);
        }
        assertThat(problem.path("type").asText()).startsWith("urn:quiver:problem:");
        assertThat(problem.path("status").asInt()).isEqualTo(response.status());
        assertThat(problem.path("title").asText()).isNotEmpty();
        return problem.path("type").asText().substring("urn:quiver:problem:".length());
    }
}
