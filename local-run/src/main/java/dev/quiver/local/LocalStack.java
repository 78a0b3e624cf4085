package dev.quiver.local;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.quiver.testkit.NatsServer;
import dev.quiver.testkit.ParentWatch;
import dev.quiver.testkit.RedisCluster;
import dev.quiver.testkit.RedisServer;

/**
 * The whole stack on one machine, no Docker: Redis (redis-server from the PATH, else the embedded binary),
 * event-ingest, two stream-edge pods and snapshot-api, each the packaged application in its own JVM. Prints every URL,
 * then runs until Ctrl-C or SIGTERM, when it stops every process it started; if one fails to start, it stops the
 * others and fails.
 * <p>
 * Ports: {@code quiver.local.base-port} (8081) for ingest, +1 for the first edge, +2 for snapshot-api, +3 for the
 * second edge, and -1 for the demo page, the one origin the services accept from browsers (CORS). Authentication is
 * off: this is a development stack, so everything listens on loopback only unless {@code quiver.local.host} says
 * otherwise (Redis always does). Every process it starts ends with it, even when it is SIGKILLed ({@link ParentWatch}).
 * {@code quiver.local.service-args} adds JVM arguments to every service, separated
 * by {@code |} (the browser tests shorten retention that way).
 * <p>
 * {@code -Dquiver.local.redis=cluster} starts a local Redis Cluster instead of one Redis: three primaries and three
 * replicas from the same {@code redis-server} (7 or newer), the services in cluster mode, so that a change can be tried
 * against slots, redirections and failovers on one machine.
 */
public final class LocalStack {

    /** One service to start, with the settings only it gets. */
    private record Service(String name, String module, int port, List<String> args) {
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Path root;
    private final Path logs;
    /**
     * Where the services listen. Authentication is off in this stack, so by default only this machine can reach it;
     * {@code -Dquiver.local.host=0.0.0.0} opens it to the network (anyone there can then publish and read).
     */
    private final String host = System.getProperty("quiver.local.host", "127.0.0.1");
    private final List<Process> processes = new ArrayList<>();
    /** {@code standalone} (one Redis) or {@code cluster} (a 3-primary/3-replica Redis Cluster). */
    private final String topology = System.getProperty("quiver.local.redis", "standalone");
    /** {@code redis} (the default, on {@link #topology}) or {@code nats} (one JetStream server: docs/nats.md). */
    private final String broker = System.getProperty("quiver.local.broker", "redis");
    private AutoCloseable redis;
    private String natsUrl;
    private String redisHosts;
    private DemoServer demo;
    private volatile boolean stopped;

    private LocalStack(Path root) {
        this.root = root;
        this.logs = root.resolve("local-run/target/logs");
    }

    public static void main(String[] args) throws Exception {
        LocalStack stack = new LocalStack(Path.of(System.getProperty("quiver.root", ".")).toAbsolutePath()
                .normalize());
        Runtime.getRuntime().addShutdownHook(new Thread(stack::stop, "quiver-local-stop"));
        try {
            stack.start(Integer.getInteger("quiver.local.base-port", 8081));
        } catch (RuntimeException e) {
            System.err.println("The local stack did not start: " + e.getMessage());
            stack.stop();
            throw e;
        }
        new CountDownLatch(1).await();
    }

    private void start(int base) throws InterruptedException {
        List<Service> services = List.of(new Service("event-ingest", "event-ingest", base, List.of()),
                new Service("stream-edge-a", "stream-edge", base + 1, List.of("-Dquiver.edge.pod-name=stream-edge-a")),
                new Service("snapshot-api", "snapshot-api", base + 2, List.of()),
                new Service("stream-edge-b", "stream-edge", base + 3, List.of("-Dquiver.edge.pod-name=stream-edge-b")));
        demo = DemoServer.start(host, base - 1, base);
        startRedis();
        for (Service service : services) {
            launch(service);
        }
        for (int i = 0; i < services.size(); i++) {
            awaitReady(services.get(i), processes.get(i));
        }
        print(services);
    }

    private void startRedis() {
        if ("nats".equals(broker)) {
            NatsServer server = NatsServer.start();
            redis = server;
            natsUrl = server.url();
            // The services' Redis client is still configured; on NATS nothing connects to it.
            redisHosts = "redis://127.0.0.1:1";
            return;
        }
        if (!"redis".equals(broker)) {
            throw new IllegalArgumentException("quiver.local.broker is redis or nats, not " + broker);
        }
        switch (topology) {
            case "standalone" -> {
                RedisServer server = RedisServer.start();
                redis = server;
                redisHosts = server.uri();
            }
            case "cluster" -> {
                RedisCluster cluster = RedisCluster.start(3, 1);
                redis = cluster;
                redisHosts = cluster.hosts();
            }
            default -> throw new IllegalArgumentException("quiver.local.redis is standalone or cluster, not "
                    + topology);
        }
    }

    private void launch(Service service) {
        Path jar = root.resolve(service.module()).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build with mvn -B install -DskipTests -pl "
                    + service.module() + " -am");
        }
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Xmx256m", "-Dquarkus.http.port=" + service.port(), "-Dquarkus.redis.hosts=" + redisHosts,
                "-Dquarkus.redis.client-type=" + topology, "-Dquarkus.http.host=" + host, "-Dquiver.auth.enabled=false",
                "-Dquiver.edge.drain-window=3s",
                "-Dquarkus.http.cors.origins=" + String.join(",", demo.origins())));
        if (natsUrl != null) {
            command.addAll(List.of("-Dquiver.broker=nats", "-Dquiver.nats.url=" + natsUrl));
        } else {
            // Presence keeps its members in Redis: the demo's chat rooms show who is there (not on NATS yet).
            command.add("-Dquiver.presence.topics=demo.*.chat");
        }
        command.addAll(service.args());
        for (String arg : System.getProperty("quiver.local.service-args", "").split("\\|")) {
            if (!arg.isBlank()) {
                command.add(arg);
            }
        }
        command.addAll(List.of("-jar", jar.toString()));
        File log = logs.resolve(service.name() + ".log").toFile();
        log.getParentFile().mkdirs();
        try {
            processes.add(new ProcessBuilder(ParentWatch.command(command)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(log)).start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitReady(Service service, Process process) throws InterruptedException {
        URI ready = URI.create("http://127.0.0.1:" + service.port() + "/q/health/ready");
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(service.name() + " exited at startup (port " + service.port()
                        + " taken?): see " + logs.resolve(service.name() + ".log"));
            }
            try {
                if (HTTP.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // Still starting.
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(service.name() + " not ready within " + START_TIMEOUT.toSeconds() + " s: see "
                + logs.resolve(service.name() + ".log"));
    }

    private void print(List<Service> services) {
        int ingest = services.get(0).port();
        int edgeA = services.get(1).port();
        int snapshot = services.get(2).port();
        int edgeB = services.get(3).port();
        StringBuilder out = new StringBuilder("\nQuiver is running (authentication off: development only).\n");
        out.append(loopbackOnly()
                ? "Listening on " + host + " only: other machines cannot reach it (-Dquiver.local.host=0.0.0.0 to"
                        + " share it).\n\n"
                : "WARNING: listening on " + host + " with authentication off: anyone who can reach this machine can"
                        + " publish and read every topic.\n\n");
        out.append("  Demo page      ").append(demo.url()).append("   (open it in two windows)\n");
        if (natsUrl != null) {
            out.append("  NATS           ").append(natsUrl).append(" (JetStream)\n");
        } else {
            out.append("  Redis          ").append(redisHosts).append(" (").append(topology).append(")\n");
        }
        for (int i = 0; i < services.size(); i++) {
            out.append(String.format("  %-14s http://localhost:%d   (pid %d)%n", services.get(i).name(),
                    services.get(i).port(), processes.get(i).pid()));
        }
        out.append("  Logs           ").append(logs).append("\n\n");
        out.append("Stream a topic (either edge; resume on the other with the last id):\n");
        out.append("  curl -N 'http://localhost:").append(edgeA).append("/v1/stream?topic=orders'\n\n");
        out.append("Publish an event:\n");
        out.append("  curl -i -X POST http://localhost:").append(ingest).append("/v1/topics/orders/events"
                + " -H 'Content-Type: application/json'"
                + " -d '{\"type\":\"order.created\",\"key\":\"o-1\",\"data\":{\"total\":12.5}}'\n\n");
        out.append("Read the state:\n");
        out.append("  curl http://localhost:").append(snapshot).append("/v1/topics/orders/snapshot\n\n");
        out.append("Long polling and WebSocket on the second edge: http://localhost:").append(edgeB)
                .append("/v1/poll?topic=orders  ws://localhost:").append(edgeB).append("/v1/ws\n\n");
        out.append("Ctrl-C stops everything.\n");
        System.out.print(out);
        System.out.flush();
    }

    private boolean loopbackOnly() {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
    }

    /** SIGTERM to every service (they drain and exit), then SIGKILL to any still running after 15 s; then Redis. */
    private synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        processes.forEach(Process::destroy);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        for (Process process : processes) {
            try {
                if (!process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
            }
            ParentWatch.release(process);
        }
        if (redis != null) {
            try {
                redis.close();
            } catch (Exception e) {
                System.err.println("Redis did not stop cleanly: " + e);
            }
        }
        if (demo != null) {
            demo.stop();
        }
        System.out.println("Quiver stopped.");
        System.out.flush();
    }
}
