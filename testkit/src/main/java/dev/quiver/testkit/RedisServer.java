package dev.quiver.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.jboss.logging.Logger;

import redis.embedded.core.ExecutableProvider;

/**
 * A real {@code redis-server} process on a free loopback port, for tests. Quiver never mocks Redis: the Lua scripts,
 * stream ids and trimming are the behaviour under test.
 * <p>
 * The binary is, in order: {@code $QUIVER_REDIS_SERVER}, {@code redis-server} on the PATH, then the binary shipped
 * inside the {@code embedded-redis} jar (Redis 6.2, enough for everything Quiver uses). The server keeps no data on
 * disk, so {@link #restart()} starts it empty, as after a crash without persistence. It ends with the JVM that
 * started it, even one that is SIGKILLed ({@link ParentWatch}).
 */
public final class RedisServer extends ServerProcess implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RedisServer.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);

    private final Path executable;
    private final int port;
    private final Path workDir;
    private final List<String> extraArgs;

    private RedisServer(Path executable, int port, Path workDir, List<String> extraArgs) {
        this.executable = executable;
        this.port = port;
        this.workDir = workDir;
        this.extraArgs = List.copyOf(extraArgs);
    }

    /** Starts a new server on a free port and waits until it answers PING. */
    public static RedisServer start() {
        try {
            return start(findExecutable());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a redis-server binary", e);
        }
    }

    /** Starts {@code executable} on a free port and waits until it answers PING. */
    public static RedisServer start(Path executable) {
        return start(executable, freePort(), List.of());
    }

    /**
     * Starts {@code executable} on {@code port} with {@code extraArgs} after the usual ones (a cluster node's, a
     * replica's) and waits until it answers PING. The arguments are kept for {@link #restart()}.
     */
    public static RedisServer start(Path executable, int port, List<String> extraArgs) {
        try {
            RedisServer server = new RedisServer(executable, port, Files.createTempDirectory("quiver-redis"),
                    extraArgs);
            server.launch();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start redis-server", e);
        }
    }

    /** The executable {@link #start()} uses: {@code $QUIVER_REDIS_SERVER}, the PATH's, else embedded-redis's. */
    public static Path executable() {
        try {
            return findExecutable();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a redis-server binary", e);
        }
    }

    /** The port the server listens on (stable across {@link #restart()}). */
    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:<port>}, the form {@code quarkus.redis.hosts} takes. */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** The directory the server runs in (its {@code --dir}): a cluster node keeps its {@code nodes.conf} there. */
    public Path workDir() {
        return workDir;
    }

    /** Starts the server again on the same port, empty. */
    public synchronized void restart() {
        stop();
        try {
            launch();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restart redis-server", e);
        }
    }

    /** Sends one command and returns the decoded reply (see {@link RespClient}). */
    public Object call(String... command) {
        try (RespClient client = new RespClient("127.0.0.1", port)) {
            return client.call(command);
        }
    }

    /**
     * Waits until {@code replicas} replicas have acknowledged everything this primary has written so far, whichever
     * client wrote it. {@code WAIT} cannot do that from a new connection: it only waits for the writes of the
     * connection that sends it, so on any other it returns at once, replicated or not.
     */
    public void awaitReplicated(int replicas, Duration timeout) {
        long written = replicationField(replicationInfo(), "master_repl_offset");
        RedisTools.await(timeout, replicas + " replica(s) holding offset " + written + " of " + uri(), () -> {
            String info = replicationInfo();
            long caughtUp = info.lines().filter(line -> line.matches("slave\\d+:.*"))
                    .map(line -> Long.parseLong(line.replaceFirst(".*[:,]offset=(\\d+).*", "$1")))
                    .filter(offset -> offset >= written).count();
            return caughtUp >= replicas;
        });
    }

    private String replicationInfo() {
        return (String) call("INFO", "replication");
    }

    private static long replicationField(String info, String field) {
        return info.lines().filter(line -> line.startsWith(field + ":")).findFirst()
                .map(line -> Long.parseLong(line.substring(field.length() + 1).trim()))
                .orElseThrow(() -> new IllegalStateException("INFO replication has no " + field));
    }

    /** Deletes every key, so tests sharing one server start from nothing. */
    public void flushAll() {
        call("FLUSHALL");
    }

    @Override
    public synchronized void close() {
        stop();
        ChildProcesses.deleteTree(workDir);
    }

    private synchronized void launch() throws IOException {
        List<String> command = new ArrayList<>(List.of(executable.toString(),
                "--port", Integer.toString(port),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "no",
                "--dir", workDir.toString(),
                "--daemonize", "no",
                "--maxclients", "4000"));
        command.addAll(extraArgs);
        Path log = workDir.resolve("redis.log");
        process = new ProcessBuilder(ParentWatch.command(command))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited at start: " + Files.readString(log));
            }
            try (RespClient client = new RespClient("127.0.0.1", port)) {
                if ("PONG".equals(client.call("PING"))) {
                    LOG.infof("redis-server %s listening on %d", executable, port);
                    return;
                }
            } catch (UncheckedIOException notYet) {
                ChildProcesses.sleep(20);
            } catch (RespClient.RedisErrorException loading) {
                // A server with persistence answers LOADING while it reads its data back: not ready yet.
                if (!loading.getMessage().startsWith("LOADING")) {
                    throw loading;
                }
                ChildProcesses.sleep(20);
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException(
                "redis-server did not answer within " + START_TIMEOUT + ": " + Files.readString(log));
    }

    static Path findExecutable() throws IOException {
        String override = System.getenv("QUIVER_REDIS_SERVER");
        if (override != null && !override.isBlank()) {
            return Path.of(override);
        }
        Optional<Path> onPath = ChildProcesses.onPath("redis-server");
        if (onPath.isPresent()) {
            return onPath.get();
        }
        LOG.info("redis-server is not on the PATH; using the binary shipped with embedded-redis");
        return embeddedExecutable();
    }

    /** The redis-server binary shipped inside the embedded-redis jar, extracted to a temporary file. */
    public static Path embeddedExecutable() throws IOException {
        File extracted = ExecutableProvider.newJarResourceProvider().get();
        if (!extracted.canExecute() && !extracted.setExecutable(true)) {
            throw new IOException("cannot make " + extracted + " executable");
        }
        return extracted.toPath();
    }

    /** A port that was free a moment ago on loopback. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
