package dev.quiver.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.jboss.logging.Logger;

/**
 * A REAL Sentinel group on loopback for tests: one primary, {@code replicas} replicas and {@code sentinels} sentinels
 * (quorum: a majority), every process on a free port. Sentinels declare a primary down after 1 s without an answer, so
 * a killed primary is failed over in a few seconds.
 */
public final class RedisSentinelGroup implements AutoCloseable {

    /** The name the sentinels monitor the group under: {@code quarkus.redis.master-name}. */
    public static final String MASTER_NAME = "quiver";

    private static final Logger LOG = Logger.getLogger(RedisSentinelGroup.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    /** One sentinel process. */
    private static final class Sentinel {

        final int port;
        final Path dir;
        Process process;

        Sentinel(int port, Path dir) {
            this.port = port;
            this.dir = dir;
        }

        Object call(String... command) {
            try (RespClient client = new RespClient("127.0.0.1", port)) {
                return client.call(command);
            }
        }
    }

    private final List<RedisServer> servers;
    private final List<Sentinel> sentinels;

    private RedisSentinelGroup(List<RedisServer> servers, List<Sentinel> sentinels) {
        this.servers = servers;
        this.sentinels = sentinels;
    }

    /**
     * Starts the servers and the sentinels and waits until every replica has synchronised with the primary and every
     * sentinel knows every replica and the other sentinels.
     */
    public static RedisSentinelGroup start(int replicas, int sentinelCount) {
        Path executable = RedisServer.executable();
        List<RedisServer> servers = new ArrayList<>();
        List<Sentinel> sentinels = new ArrayList<>();
        RedisSentinelGroup group = new RedisSentinelGroup(servers, sentinels);
        try {
            RedisServer primary = RedisServer.start(executable, RedisServer.freePort(), List.of());
            servers.add(primary);
            for (int i = 0; i < replicas; i++) {
                servers.add(RedisServer.start(executable, RedisServer.freePort(),
                        List.of("--replicaof", "127.0.0.1", Integer.toString(primary.port()))));
            }
            int quorum = sentinelCount / 2 + 1;
            for (int i = 0; i < sentinelCount; i++) {
                Sentinel sentinel = new Sentinel(RedisServer.freePort(), Files.createTempDirectory("quiver-sentinel"));
                sentinels.add(sentinel);
                launch(executable, sentinel, primary.port(), quorum);
            }
            RedisTools.await(READY_TIMEOUT, "replicas in sync and sentinels that see the whole group", () -> {
                for (RedisServer replica : servers.subList(1, servers.size())) {
                    if (!((String) replica.call("INFO", "replication")).contains("master_link_status:up")) {
                        return false;
                    }
                }
                for (Sentinel sentinel : sentinels) {
                    List<?> known = (List<?>) sentinel.call("SENTINEL", "REPLICAS", MASTER_NAME);
                    List<?> peers = (List<?>) sentinel.call("SENTINEL", "SENTINELS", MASTER_NAME);
                    if (known.size() < replicas || peers.size() < sentinelCount - 1) {
                        return false;
                    }
                }
                return true;
            });
            LOG.infof("Sentinel group ready: primary %d, sentinels %s", primary.port(), group.hosts());
            return group;
        } catch (IOException e) {
            group.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            group.close();
            throw e;
        }
    }

    /** The sentinels as {@code redis://127.0.0.1:<port>}, comma-separated: {@code quarkus.redis.hosts} in sentinel mode. */
    public String hosts() {
        return sentinels.stream().map(s -> "redis://127.0.0.1:" + s.port).collect(Collectors.joining(","));
    }

    /** The primary and the replicas, in the order they were started (the first was the primary at the start). */
    public List<RedisServer> servers() {
        return List.copyOf(servers);
    }

    /** The server the sentinels currently name as primary. */
    public RedisServer primary() {
        List<?> address = (List<?>) sentinels.get(0).call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME);
        int port = Integer.parseInt((String) address.get(1));
        return servers.stream().filter(server -> server.port() == port).findFirst()
                .orElseThrow(() -> new IllegalStateException("the sentinels name an unknown primary: " + address));
    }

    /** Waits until the sentinels name a running primary other than {@code old}, and its replicas follow it. */
    public RedisServer awaitFailover(RedisServer old, Duration timeout) {
        RedisServer[] promoted = new RedisServer[1];
        RedisTools.await(timeout, "failover away from port " + old.port(), () -> {
            RedisServer now = primary();
            if (now == old || !now.isRunning()
                    || !((String) now.call("INFO", "replication")).contains("role:master")) {
                return false;
            }
            promoted[0] = now;
            return true;
        });
        return promoted[0];
    }

    @Override
    public void close() {
        for (Sentinel sentinel : sentinels) {
            if (sentinel.process != null) {
                sentinel.process.destroy();
                try {
                    if (!sentinel.process.waitFor(10, TimeUnit.SECONDS)) {
                        sentinel.process.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    sentinel.process.destroyForcibly();
                }
                ParentWatch.release(sentinel.process);
            }
            try (var files = Files.walk(sentinel.dir)) {
                files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).map(Path::toFile).forEach(File::delete);
            } catch (IOException e) {
                LOG.debugf("cannot clean %s: %s", sentinel.dir, e);
            }
        }
        servers.forEach(RedisServer::close);
    }

    private static void launch(Path executable, Sentinel sentinel, int primaryPort, int quorum) throws IOException {
        // Sentinels rewrite their configuration file as they learn the group, so each has a writable one of its own.
        Path config = sentinel.dir.resolve("sentinel.conf");
        Files.writeString(config, String.join("\n",
                "port " + sentinel.port,
                "bind 127.0.0.1",
                "daemonize no",
                "dir " + sentinel.dir,
                "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + primaryPort + " " + quorum,
                "sentinel down-after-milliseconds " + MASTER_NAME + " 1000",
                "sentinel failover-timeout " + MASTER_NAME + " 5000",
                "sentinel parallel-syncs " + MASTER_NAME + " 1",
                ""));
        Path log = sentinel.dir.resolve("sentinel.log");
        sentinel.process = new ProcessBuilder(ParentWatch.command(RedisTools.sentinel(executable, config)))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(15));
        while (Instant.now().isBefore(deadline)) {
            if (!sentinel.process.isAlive()) {
                throw new IllegalStateException("redis-sentinel exited at start: " + Files.readString(log));
            }
            try {
                if ("PONG".equals(sentinel.call("PING"))) {
                    return;
                }
            } catch (UncheckedIOException notYet) {
                try {
                    TimeUnit.MILLISECONDS.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }
        throw new IllegalStateException("redis-sentinel did not answer within 15 s: " + Files.readString(log));
    }
}
