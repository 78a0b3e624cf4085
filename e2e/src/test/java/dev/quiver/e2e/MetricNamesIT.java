package dev.quiver.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.quiver.testkit.RedisServer;

/**
 * The chart's Grafana dashboard and alert rules name only series the services really serve: the three packaged
 * services run, see some traffic (a publish, a stream, a snapshot read, a refused request), and every series name the
 * dashboard JSON and the PrometheusRule template use must appear in one of their {@code /q/metrics}.
 */
class MetricNamesIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** A series name in PromQL: followed by a selector, a range, or the end of a function's argument. */
    private static final Pattern USED = Pattern.compile(
            "\\b((?:quiver|http_server|jvm|process)_[a-z_]+)\\s*(?=[{\\[)])");
    private static final Pattern SERVED = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]");

    @Test
    void everySeriesTheDashboardAndTheAlertsUseIsServed() throws Exception {
        Path chart = Path.of(System.getProperty("quiver.root", ".."), "helm", "quiver");
        Set<String> used = new TreeSet<>();
        for (Path file : List.of(chart.resolve("dashboards/quiver.json"),
                chart.resolve("templates/prometheusrule.yaml"))) {
            Matcher matcher = USED.matcher(Files.readString(file).replace("\\\"", "\""));
            while (matcher.find()) {
                used.add(matcher.group(1));
            }
        }
        assertThat(used).as("series names found in the dashboard and the rules").hasSizeGreaterThan(20);

        Set<String> served = new TreeSet<>();
        try (RedisServer redis = RedisServer.start()) {
            Map<String, String> config = Map.of("quarkus.redis.hosts", redis.uri(), "quiver.auth.enabled", "false",
                    "quiver.presence.topics", "room.*");
            try (ServiceProcess ingest = ServiceProcess.start("metrics-ingest", "event-ingest", config);
                    ServiceProcess edge = ServiceProcess.start("metrics-edge", "stream-edge", config);
                    ServiceProcess snapshot = ServiceProcess.start("metrics-snapshot", "snapshot-api", config)) {
                // Traffic, so that meters registered on first use exist: an SSE stream on a presence topic that
                // receives an event, a snapshot read, and a refused publish.
                HttpRequest stream = HttpRequest.newBuilder(edge.uri("/v1/stream?topic=room.1&name=ann")).build();
                HttpResponse<java.util.stream.Stream<String>> open = HTTP.sendAsync(stream,
                        HttpResponse.BodyHandlers.ofLines()).join();
                assertThat(open.statusCode()).isEqualTo(200);
                assertThat(post(ingest, "/v1/topics/room.1/events", "{\"type\":\"t\",\"key\":\"k\",\"data\":1}"))
                        .isEqualTo(202);
                assertThat(post(ingest, "/v1/topics/room.1/events", "{not json")).isEqualTo(400);
                assertThat(get(snapshot, "/v1/topics/room.1/snapshot")).isEqualTo(200);
                assertThat(get(snapshot, "/v1/topics/room.1/events?after=bad")).isEqualTo(400);
                ServiceProcess.sleep(1500);
                for (ServiceProcess service : List.of(ingest, edge, snapshot)) {
                    String body = HTTP.send(HttpRequest.newBuilder(service.uri("/q/metrics")).build(),
                            HttpResponse.BodyHandlers.ofString()).body();
                    Matcher matcher = SERVED.matcher(body);
                    while (matcher.find()) {
                        served.add(matcher.group(1));
                    }
                }
                open.body().close();
            }
        }
        List<String> missing = new ArrayList<>(used);
        missing.removeAll(served);
        assertThat(missing).as("series the dashboard or the alerts use but no service serves").isEmpty();
    }

    private static int post(ServiceProcess service, String path, String body) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(service.uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    private static int get(ServiceProcess service, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(service.uri(path)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }
}
