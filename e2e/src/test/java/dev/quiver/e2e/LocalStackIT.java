package dev.quiver.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The README's run command starts the whole stack (dev.quiver.local.LocalStack, here launched directly in its own
 * JVM), prints working URLs, and leaves no process behind: not after SIGTERM, not when a service fails to start.
 */
class LocalStackIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Pattern PID = Pattern.compile("\\(pid (\\d+)\\)");

    @Test
    void startsEverythingPrintsWorkingUrlsAndStopsEverythingOnSigterm() throws Exception {
        int base = freeBase();
        Launched stack = launch(base);
        try {
            stack.await("Ctrl-C stops everything", Duration.ofSeconds(120));
            assertThat(stack.output()).contains("http://localhost:" + base, "http://localhost:" + (base + 3),
                    "curl -i -X POST http://localhost:" + base + "/v1/topics/orders/events");
            assertThat(stack.pids()).hasSize(4);
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
        } finally {
            stack.process.destroy();
        }
        assertThat(stack.process.waitFor(40, TimeUnit.SECONDS)).as("the launcher exits on SIGTERM").isTrue();
        assertNoneAlive(stack.pids());
    }

    @Test
    void aServiceThatCannotStartStopsTheOthersAndFails() throws Exception {
        int base = freeBase();
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("0.0.0.0", base + 3));
            Launched stack = launch(base);
            assertThat(stack.process.waitFor(150, TimeUnit.SECONDS)).isTrue();
            assertThat(stack.process.exitValue()).isNotZero();
            assertThat(stack.output()).contains("stream-edge-b exited at startup");
            assertNoneAlive(stack.children);
        }
    }

    private static void assertNoneAlive(List<Long> pids) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (long pid : pids) {
            while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("pid " + pid).isFalse();
        }
    }

    /** Four consecutive free ports. */
    private static int freeBase() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20_000, 30_000);
            List<ServerSocket> probes = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    ServerSocket socket = new ServerSocket();
                    probes.add(socket);
                    socket.bind(new InetSocketAddress("0.0.0.0", base + i));
                }
                return base;
            } catch (IOException taken) {
                // Try another range.
            } finally {
                for (ServerSocket socket : probes) {
                    socket.close();
                }
            }
        }
        throw new IllegalStateException("no four consecutive free ports");
    }

    private static Launched launch(int base) throws IOException {
        Process process = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), "-Dquiver.root=" + System.getProperty("quiver.root", ".."),
                "-Dquiver.local.base-port=" + base, "dev.quiver.local.LocalStack").redirectErrorStream(true).start();
        return new Launched(process);
    }

    /** The launcher's process, its output, and every child it started (seen while it ran). */
    private static final class Launched {

        final Process process;
        final List<String> lines = new CopyOnWriteArrayList<>();
        final List<Long> children = new CopyOnWriteArrayList<>();

        Launched(Process process) {
            this.process = process;
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        lines.add(line);
                    }
                } catch (IOException ignored) {
                    // The launcher is gone.
                }
            }, "local-stack-output");
            reader.setDaemon(true);
            reader.start();
            Thread watcher = new Thread(() -> {
                while (process.isAlive()) {
                    process.descendants().forEach(child -> {
                        if (!children.contains(child.pid())) {
                            children.add(child.pid());
                        }
                    });
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "local-stack-children");
            watcher.setDaemon(true);
            watcher.start();
        }

        String output() {
            return String.join("\n", lines);
        }

        List<Long> pids() {
            List<Long> pids = new ArrayList<>();
            Matcher m = PID.matcher(output());
            while (m.find()) {
                pids.add(Long.parseLong(m.group(1)));
            }
            return pids;
        }

        void await(String text, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!output().contains(text)) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError("no '" + text + "' from the launcher:\n" + output());
                }
                Thread.sleep(100);
            }
        }
    }
}
