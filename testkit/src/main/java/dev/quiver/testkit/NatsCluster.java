package dev.quiver.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import org.jboss.logging.Logger;

/**
 * A REAL three-or-more-node JetStream cluster on loopback for tests: every node a {@link NatsServer} with a cluster
 * block routing to the others, on free ports. A stream created with {@code replicas: 3} survives one node killed;
 * the tests are about what clients see while its leader moves.
 */
public final class NatsCluster implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(NatsCluster.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    private final List<NatsServer> nodes;

    private NatsCluster(List<NatsServer> nodes) {
        this.nodes = nodes;
    }

    /** Starts {@code size} nodes together (a JetStream cluster needs a quorum to become healthy). */
    public static NatsCluster start(int size) {
        List<Integer> routePorts = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            routePorts.add(RedisServer.freePort());
        }
        String routes = routePorts.stream().map(port -> "    nats-route://127.0.0.1:" + port)
                .collect(Collectors.joining("\n"));
        List<NatsServer> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < size; i++) {
                nodes.add(NatsServer.create("quiver-n" + i, RedisServer.freePort(), String.join("\n",
                        "cluster {",
                        "  name: quiver",
                        "  listen: 127.0.0.1:" + routePorts.get(i),
                        "  routes: [",
                        routes,
                        "  ]",
                        "}")));
            }
            nodes.forEach(NatsServer::launchNoWait);
            nodes.forEach(node -> node.awaitHealthy(READY_TIMEOUT));
            NatsCluster cluster = new NatsCluster(nodes);
            LOG.infof("JetStream cluster ready: %s", cluster.urls());
            return cluster;
        } catch (RuntimeException e) {
            nodes.forEach(NatsServer::close);
            throw e;
        }
    }

    /** The nodes, in start order. */
    public List<NatsServer> nodes() {
        return List.copyOf(nodes);
    }

    /** Every node's URL, comma-separated: the form {@code quiver.nats.url} takes. */
    public String urls() {
        return nodes.stream().map(NatsServer::url).collect(Collectors.joining(","));
    }

    @Override
    public void close() {
        nodes.forEach(NatsServer::close);
    }
}
