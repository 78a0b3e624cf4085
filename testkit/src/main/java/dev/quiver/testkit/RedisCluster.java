package dev.quiver.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import org.jboss.logging.Logger;

/**
 * A REAL Redis Cluster on loopback for tests: {@code primaries} primaries with {@code replicasPerPrimary} replicas each,
 * every node a {@link RedisServer} on free ports (client and bus), joined with {@code redis-cli --cluster create}.
 * <p>
 * The node timeout is short (1 s) so that a killed primary is failed over in a few seconds, and replicas always take
 * over ({@code cluster-replica-validity-factor 0}): the tests are about what clients see during a failover, not about
 * whether Redis decides to do one. Needs Redis 7 or newer ({@code cluster-port}); the binary shipped with
 * embedded-redis (6.2) is refused with a clear message.
 */
public final class RedisCluster implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RedisCluster.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    private final List<RedisServer> nodes;

    private RedisCluster(List<RedisServer> nodes) {
        this.nodes = nodes;
    }

    /** Starts the nodes, creates the cluster, and waits until every slot is served and every replica is in sync. */
    public static RedisCluster start(int primaries, int replicasPerPrimary) {
        Path executable = RedisServer.executable();
        Path cli = RedisTools.cli(executable);
        RedisTools.requireVersion(executable, 7, "a Redis Cluster (cluster-port)");
        List<RedisServer> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < primaries * (1 + replicasPerPrimary); i++) {
                int bus = RedisServer.freePort();
                nodes.add(RedisServer.start(executable, RedisServer.freePort(),
                        List.of("--cluster-enabled", "yes",
                                "--cluster-config-file", "nodes.conf",
                                "--cluster-node-timeout", "1000",
                                "--cluster-port", Integer.toString(bus),
                                "--cluster-replica-validity-factor", "0")));
            }
            List<String> create = new ArrayList<>(List.of(cli.toString(), "--cluster", "create"));
            nodes.forEach(node -> create.add("127.0.0.1:" + node.port()));
            create.addAll(List.of("--cluster-replicas", Integer.toString(replicasPerPrimary), "--cluster-yes"));
            RedisTools.run(create, Duration.ofSeconds(60));
            RedisCluster cluster = new RedisCluster(nodes);
            cluster.awaitHealthy(READY_TIMEOUT);
            LOG.infof("Redis Cluster ready: %s", cluster.hosts());
            return cluster;
        } catch (RuntimeException e) {
            nodes.forEach(RedisServer::close);
            throw e;
        }
    }

    /** Every node, primaries and replicas, in the order they were started. */
    public List<RedisServer> nodes() {
        return List.copyOf(nodes);
    }

    /** Every node as {@code redis://127.0.0.1:<port>}, comma-separated: the form {@code quarkus.redis.hosts} takes. */
    public String hosts() {
        return nodes.stream().map(RedisServer::uri).collect(Collectors.joining(","));
    }

    /** The hash slot of {@code key}, as Redis computes it (hash tags included). */
    public int slotOf(String key) {
        return ((Long) anyRunning().call("CLUSTER", "KEYSLOT", key)).intValue();
    }

    /** The node that currently serves {@code slot} as primary, as a running node sees the cluster. */
    public RedisServer primaryOf(int slot) {
        int port = primaryPort(slot).orElseThrow(() -> new IllegalStateException("no primary serves slot " + slot));
        return nodeOnPort(port);
    }

    /** The primary of {@code key}'s slot. */
    public RedisServer primaryOf(String key) {
        return primaryOf(slotOf(key));
    }

    /** The running nodes that replicate {@code primary}. */
    public List<RedisServer> replicasOf(RedisServer primary) {
        List<RedisServer> replicas = new ArrayList<>();
        for (RedisServer node : nodes) {
            if (node != primary && node.isRunning()
                    && info(node).contains("master_port:" + primary.port() + "\r\n")) {
                replicas.add(node);
            }
        }
        return replicas;
    }

    /** Sends a command to the node that serves its key ({@code command[1]}), following MOVED and ASK redirections. */
    public Object call(String... command) {
        RedisServer node = anyRunning();
        for (int hop = 0; hop < 5; hop++) {
            try {
                return node.call(command);
            } catch (RespClient.RedisErrorException e) {
                String[] words = e.getMessage().split(" ");
                if (words.length == 3 && (words[0].equals("MOVED") || words[0].equals("ASK"))) {
                    node = nodeOnPort(Integer.parseInt(words[2].substring(words[2].lastIndexOf(':') + 1)));
                    if (words[0].equals("ASK")) {
                        try (RespClient client = new RespClient("127.0.0.1", node.port())) {
                            client.call("ASKING");
                            return client.call(command);
                        }
                    }
                    continue;
                }
                throw e;
            }
        }
        throw new IllegalStateException("too many redirections for " + String.join(" ", command));
    }

    /**
     * Waits until every running node reports {@code cluster_state:ok} with all 16384 slots served, every slot's primary
     * is running, and every running replica's link to its primary is up.
     */
    public void awaitHealthy(Duration timeout) {
        RedisTools.await(timeout, "a healthy cluster", () -> {
            for (RedisServer node : nodes) {
                if (!node.isRunning()) {
                    continue;
                }
                String state = (String) node.call("CLUSTER", "INFO");
                if (!state.contains("cluster_state:ok") || !state.contains("cluster_slots_ok:16384")) {
                    return false;
                }
                String info = info(node);
                if (info.contains("role:slave") && !info.contains("master_link_status:up")) {
                    return false;
                }
            }
            for (int slot : new int[]{0, 5461, 10923, 16383}) {
                Optional<Integer> port = primaryPort(slot);
                if (port.isEmpty() || !nodeOnPort(port.get()).isRunning()) {
                    return false;
                }
            }
            return true;
        });
    }

    /**
     * Moves {@code slot} with its keys from its primary to {@code target} (another primary) while clients keep using it,
     * the way {@code redis-cli --cluster reshard} does: IMPORTING / MIGRATING, {@code MIGRATE} in batches, then the
     * new owner announced to every primary. Clients see ASK during the move and MOVED after it.
     */
    public void moveSlot(int slot, RedisServer target) {
        RedisServer source = primaryOf(slot);
        if (source == target) {
            return;
        }
        String sourceId = nodeId(source);
        String targetId = nodeId(target);
        target.call("CLUSTER", "SETSLOT", Integer.toString(slot), "IMPORTING", sourceId);
        source.call("CLUSTER", "SETSLOT", Integer.toString(slot), "MIGRATING", targetId);
        while (true) {
            @SuppressWarnings("unchecked")
            List<Object> keys = (List<Object>) source.call("CLUSTER", "GETKEYSINSLOT", Integer.toString(slot), "100");
            if (keys.isEmpty()) {
                break;
            }
            List<String> migrate = new ArrayList<>(List.of("MIGRATE", "127.0.0.1", Integer.toString(target.port()), "",
                    "0", "10000", "KEYS"));
            keys.forEach(key -> migrate.add((String) key));
            source.call(migrate.toArray(String[]::new));
        }
        target.call("CLUSTER", "SETSLOT", Integer.toString(slot), "NODE", targetId);
        source.call("CLUSTER", "SETSLOT", Integer.toString(slot), "NODE", targetId);
        for (RedisServer node : nodes) {
            if (node.isRunning() && node != source && node != target && info(node).contains("role:master")) {
                node.call("CLUSTER", "SETSLOT", Integer.toString(slot), "NODE", targetId);
            }
        }
    }

    /** This node's cluster id. */
    public String nodeId(RedisServer node) {
        return (String) node.call("CLUSTER", "MYID");
    }

    @Override
    public void close() {
        nodes.forEach(RedisServer::close);
    }

    private Optional<Integer> primaryPort(int slot) {
        @SuppressWarnings("unchecked")
        List<Object> ranges = (List<Object>) anyRunning().call("CLUSTER", "SLOTS");
        for (Object range : ranges) {
            List<?> fields = (List<?>) range;
            long start = (Long) fields.get(0);
            long end = (Long) fields.get(1);
            if (slot >= start && slot <= end) {
                return Optional.of(((Long) ((List<?>) fields.get(2)).get(1)).intValue());
            }
        }
        return Optional.empty();
    }

    private RedisServer nodeOnPort(int port) {
        return nodes.stream().filter(node -> node.port() == port).findFirst()
                .orElseThrow(() -> new IllegalStateException("no node of this cluster listens on " + port));
    }

    private RedisServer anyRunning() {
        return nodes.stream().filter(RedisServer::isRunning).findFirst()
                .orElseThrow(() -> new IllegalStateException("no node of the cluster is running"));
    }

    private static String info(RedisServer node) {
        return (String) node.call("INFO", "replication");
    }
}
