package dev.quiver.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The README's run command starts the whole stack (dev.quiver.local.LocalStack, here launched directly in its own
 * JVM), prints working URLs, and leaves no process behind: not after SIGTERM, not when a service fails to start.
 */
class LocalStackIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @ParameterizedTest
    @ValueSource(strings = {"standalone", "cluster", "nats"})
    void startsEverythingPrintsWorkingUrlsAndStopsEverythingOnSigterm(String topology) throws Exception {
        int base = LocalStackProcess.freeBase();
        LocalStackProcess stack = LocalStackProcess.launchOn(topology, base);
        try {
            stack.await("Ctrl-C stops everything", Duration.ofSeconds(120));
            assertThat(stack.output()).contains("nats".equals(topology) ? "(JetStream)" : "(" + topology + ")");
            assertThat(stack.output()).contains("http://localhost:" + base, "http://localhost:" + (base + 3),
                    "curl -i -X POST http://localhost:" + base + "/v1/topics/orders/events");
            assertThat(stack.pids()).hasSize(4);
            if ("nats".equals(topology)) {
                // Each service says it runs on NATS: its readiness check is NATS's.
                assertThat(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + base + "/q/health/ready"))
                        .build(), HttpResponse.BodyHandlers.ofString()).body()).contains("\"NATS\"");
            }
            HttpResponse<String> published = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + base
                    + "/v1/topics/local.orders/events")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"t\",\"key\":\"o-1\",\"data\":1}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(published.statusCode()).isEqualTo(202);
            String poll = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (base + 3)
                    + "/v1/poll?topic=local.orders&since=-&timeout=0")).build(), HttpResponse.BodyHandlers.ofString())
                    .body();
            assertThat(poll).contains("\"data\":1");
            String snapshot = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (base + 2)
                    + "/v1/topics/local.orders/snapshot")).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(snapshot).contains("\"key\":\"o-1\"");
            assertCleanLogs();
        } finally {
            stack.process.destroy();
        }
        assertThat(stack.process.waitFor(40, TimeUnit.SECONDS)).as("the launcher exits on SIGTERM").isTrue();
        assertNoneAlive(stack.pids());
    }

    /**
     * A clean start warns about nothing but what it means (authentication is off here): no framework noise a newcomer
     * takes for an error, such as Micrometer's "Gauge already registered" for the Redis clients, on either topology.
     */
    private static void assertCleanLogs() throws IOException {
        Path logs = Path.of(System.getProperty("quiver.root", ".."), "local-run/target/logs");
        try (Stream<Path> files = Files.list(logs)) {
            List<Path> serviceLogs = files.filter(file -> file.toString().endsWith(".log")).toList();
            assertThat(serviceLogs).hasSize(4);
            for (Path log : serviceLogs) {
                assertThat(Files.readAllLines(log)).as(log.toString())
                        .filteredOn(line -> line.contains(" WARN ") || line.contains(" ERROR "))
                        .allSatisfy(line -> assertThat(line).contains("AUTHENTICATION IS OFF"));
            }
        }
    }

    @Test
    void aKilledLauncherTakesItsServicesAndRedisWithItAndTheStackListensOnLoopbackOnly() throws Exception {
        int base = LocalStackProcess.freeBase();
        LocalStackProcess stack = LocalStackProcess.launch(base);
        List<Long> started;
        try {
            stack.await("Ctrl-C stops everything", Duration.ofSeconds(120));
            assertThat(stack.output()).contains("Listening on 127.0.0.1 only");
            int redisPort = Integer.parseInt(stack.output().replaceAll("(?s).*Redis\\s+redis://[^:]+:(\\d+).*", "$1"));
            for (int port : new int[]{base - 1, base, base + 1, base + 2, base + 3, redisPort}) {
                assertThat(ListeningSockets.addresses(port)).as("port " + port).isNotEmpty()
                        .allSatisfy(address -> assertThat(address.isLoopbackAddress()).as(address.toString()).isTrue());
            }
            started = List.copyOf(stack.children);
            assertThat(started).hasSizeGreaterThanOrEqualTo(5);
        } finally {
            // SIGKILL: no shutdown hook runs in the launcher.
            stack.process.destroyForcibly();
        }
        assertThat(stack.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertNoneAlive(started, 30);
    }

    @Test
    void aServiceThatCannotStartStopsTheOthersAndFails() throws Exception {
        int base = LocalStackProcess.freeBase();
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("0.0.0.0", base + 3));
            LocalStackProcess stack = LocalStackProcess.launch(base);
            assertThat(stack.process.waitFor(150, TimeUnit.SECONDS)).isTrue();
            assertThat(stack.process.exitValue()).isNotZero();
            assertThat(stack.output()).contains("stream-edge-b exited at startup");
            assertNoneAlive(stack.children);
        }
    }

    private static void assertNoneAlive(List<Long> pids) throws InterruptedException {
        assertNoneAlive(pids, 10);
    }

    private static void assertNoneAlive(List<Long> pids, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        for (long pid : pids) {
            while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("pid " + pid).isFalse();
        }
    }
}
