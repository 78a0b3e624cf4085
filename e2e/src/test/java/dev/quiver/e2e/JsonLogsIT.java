package dev.quiver.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.quiver.testkit.RedisServer;
import dev.quiver.testkit.TestTokens;

/**
 * With {@code quarkus.log.console.json.enabled=true} (chart: {@code logs.json}), a packaged service writes one JSON
 * object per line, from its first line on, and an audit line carries its facts as structured fields.
 */
class JsonLogsIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyLineIsJsonAndAuditLinesCarryStructuredFields() throws Exception {
        Path log = Path.of("target", "e2e-logs", "json-logs-ingest.log");
        Files.deleteIfExists(log);
        try (RedisServer redis = RedisServer.start()) {
            Map<String, String> config = new HashMap<>(TestTokens.authConfig());
            config.put("quarkus.redis.hosts", redis.uri());
            config.put("quarkus.log.console.json.enabled", "true");
            try (ServiceProcess ingest = ServiceProcess.start("json-logs-ingest", "event-ingest", config)) {
                HttpResponse<String> refused = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        ingest.uri("/v1/topics/orders.1/events")).header("Content-Type", "application/json")
                        .header("Authorization", "Bearer not-a-valid-key-0123456789")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"t\",\"data\":1}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(refused.statusCode()).isEqualTo(401);

                JsonNode audit = null;
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (audit == null && System.nanoTime() < deadline) {
                    for (String line : Files.readAllLines(log)) {
                        JsonNode record = JSON.readTree(line);
                        if ("dev.quiver.audit".equals(record.path("loggerName").asText())) {
                            audit = record;
                        }
                    }
                    Thread.sleep(100);
                }
                assertThat(audit).as("an audit line in " + log).isNotNull();
                JsonNode mdc = audit.path("mdc");
                assertThat(mdc.path("audit.status").asText()).isEqualTo("401");
                assertThat(mdc.path("audit.reason").asText()).isNotBlank();
                assertThat(mdc.path("audit.ip").asText()).isEqualTo("127.0.0.1");
                assertThat(mdc.path("audit.path").asText()).isEqualTo("/v1/topics/orders.1/events");
                assertThat(audit.path("level").asText()).isEqualTo("WARN");
                assertThat(audit.path("message").asText()).startsWith("auth-refused");
            }
            // Every line, startup and shutdown included, is one JSON object: nothing a log pipeline cannot parse.
            List<String> lines = Files.readAllLines(log);
            assertThat(lines).isNotEmpty();
            for (String line : lines) {
                JsonNode record = JSON.readTree(line);
                assertThat(record.isObject()).as(line).isTrue();
                assertThat(record.has("timestamp") && record.has("level") && record.has("message")).as(line)
                        .isTrue();
            }
        }
    }
}
