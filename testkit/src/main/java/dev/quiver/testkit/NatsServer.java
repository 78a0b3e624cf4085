package dev.quiver.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.jboss.logging.Logger;

/**
 * A real {@code nats-server} with JetStream on free loopback ports, for tests of the NATS broker (docs/nats.md). Like
 * {@link RedisServer}, never a mock: the stream's sequences, deduplication and subject filters are the behaviour under
 * test.
 * <p>
 * The binary is {@code $QUIVER_NATS_SERVER}, else {@code nats-server} on the PATH (Debian's {@code nats-server}
 * package, which {@code .ci/run} installs); a test that needs it fails naming the package when it is missing. JetStream
 * keeps its data in the server's own directory, so {@link #restart()} and {@link #kill()} followed by
 * {@link #restart()} find the streams again, as after a crash of a real node. A node of a {@link NatsCluster} is a
 * server with cluster routes. It ends with the JVM that started it, even one that is SIGKILLed ({@link ParentWatch}).
 */
public final class NatsServer extends ServerProcess implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(NatsServer.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private final Path executable;
    private final String name;
    private final int port;
    private final int monitorPort;
    private final Path workDir;
    private final String extraConfig;

    private NatsServer(Path executable, String name, int port, int monitorPort, Path workDir, String extraConfig) {
        this.executable = executable;
        this.name = name;
        this.port = port;
        this.monitorPort = monitorPort;
        this.workDir = workDir;
        this.extraConfig = extraConfig;
    }

    /** Starts a single JetStream server on a free port and waits until JetStream is ready. */
    public static NatsServer start() {
        return start("quiver-nats", RedisServer.freePort(), "");
    }

    /**
     * Starts a server named {@code name} on {@code port} with {@code extraConfig} appended to its configuration file
     * (a cluster block), and waits until it answers {@code /healthz}. Kept for {@link #restart()}.
     */
    static NatsServer start(String name, int port, String extraConfig) {
        try {
            NatsServer server = new NatsServer(executable(), name, port, RedisServer.freePort(),
                    Files.createTempDirectory("quiver-nats"), extraConfig);
            server.launch(true);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start nats-server", e);
        }
    }

    /** Creates a server without starting it: a cluster starts its nodes together, then waits for them. */
    static NatsServer create(String name, int port, String extraConfig) {
        try {
            return new NatsServer(executable(), name, port, RedisServer.freePort(),
                    Files.createTempDirectory("quiver-nats"), extraConfig);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare nats-server", e);
        }
    }

    /** The binary: {@code $QUIVER_NATS_SERVER}, else {@code nats-server} on the PATH; fails naming the package. */
    public static Path executable() {
        String override = System.getenv("QUIVER_NATS_SERVER");
        if (override != null && !override.isBlank()) {
            return Path.of(override);
        }
        return ChildProcesses.onPath("nats-server").orElseThrow(() -> new IllegalStateException(
                "nats-server is missing (Debian: apt-get install nats-server); the NATS broker's tests need it"));
    }

    /** The server's name ({@code server_name}, which JetStream clustering requires). */
    public String name() {
        return name;
    }

    /** The client port. */
    public int port() {
        return port;
    }

    /** {@code nats://127.0.0.1:<port>}, the form {@code quiver.nats.url} takes. */
    public String url() {
        return "nats://127.0.0.1:" + port;
    }

    /** Starts the server again on the same ports, with the data it had, and waits until it is healthy. */
    public synchronized void restart() {
        stop();
        try {
            launch(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restart nats-server", e);
        }
    }

    /** Starts the process without waiting; {@link #awaitHealthy} waits. */
    synchronized void launchNoWait() {
        try {
            launch(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start nats-server", e);
        }
    }

    /**
     * Waits until {@code /healthz?js-enabled-only=true} answers 200: the server accepts clients and JetStream is on.
     * A clustered stream may still be electing its leader; callers that publish right away retry.
     */
    synchronized void awaitHealthy(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        URI health = URI.create("http://127.0.0.1:" + monitorPort + "/healthz?js-enabled-only=true");
        while (Instant.now().isBefore(deadline)) {
            if (process == null || !process.isAlive()) {
                throw new IllegalStateException("nats-server " + name + " exited at start: " + log());
            }
            try {
                HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(health)
                        .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    LOG.infof("nats-server %s listening on %d", name, port);
                    return;
                }
            } catch (IOException notYet) {
                // Not listening yet.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            ChildProcesses.sleep(50);
        }
        throw new IllegalStateException("nats-server " + name + " was not healthy within " + timeout + ": " + log());
    }

    @Override
    public synchronized void close() {
        stop();
        ChildProcesses.deleteTree(workDir);
    }

    private void launch(boolean wait) throws IOException {
        Path config = workDir.resolve("nats.conf");
        // JetStream's store_dir must be a quoted string: a temporary path may hold characters the parser splits on.
        Files.writeString(config, String.join("\n",
                "server_name: " + name,
                "listen: 127.0.0.1:" + port,
                "http: 127.0.0.1:" + monitorPort,
                "jetstream {",
                "  store_dir: \"" + workDir.resolve("jetstream") + "\"",
                "  max_memory_store: 256MB",
                "  max_file_store: 2GB",
                "}",
                extraConfig,
                ""));
        List<String> command = new ArrayList<>(List.of(executable.toString(), "-c", config.toString()));
        process = new ProcessBuilder(ParentWatch.command(command))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(workDir.resolve("nats.log").toFile()))
                .start();
        if (wait) {
            awaitHealthy(START_TIMEOUT);
        }
    }

    private String log() {
        try {
            return Files.readString(workDir.resolve("nats.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
