package dev.quiver.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The testkit's Redis Cluster and Sentinel group are real, and fail over and move slots as tests will rely on. */
class RedisTopologiesTest {

    @Test
    void aClusterServesEverySlotFailsOverAKilledPrimaryAndMovesASlotWithItsKeys() {
        try (RedisCluster cluster = RedisCluster.start(3, 1)) {
            assertThat(cluster.nodes()).hasSize(6);
            assertThat(cluster.hosts().split(",")).hasSize(6).allMatch(host -> host.startsWith("redis://127.0.0.1:"));

            String key = "{q:t:orders}:stream";
            cluster.call("SET", key, "kept");
            RedisServer primary = cluster.primaryOf(key);
            List<RedisServer> replicas = cluster.replicasOf(primary);
            assertThat(replicas).hasSize(1);
            // Replication is asynchronous: make sure the replica has the write before its primary dies.
            primary.awaitReplicated(1, Duration.ofSeconds(5));

            primary.kill();
            cluster.awaitHealthy(Duration.ofSeconds(30));
            assertThat(cluster.primaryOf(key)).isSameAs(replicas.get(0));
            assertThat(cluster.call("GET", key)).isEqualTo("kept");

            int slot = cluster.slotOf(key);
            RedisServer target = cluster.primaryOf(slot == 0 ? 16383 : 0);
            assertThat(target).isNotSameAs(cluster.primaryOf(slot));
            cluster.moveSlot(slot, target);
            assertThat(cluster.primaryOf(slot)).isSameAs(target);
            assertThat(cluster.call("GET", key)).isEqualTo("kept");
        }
    }

    @Test
    void aSentinelGroupPromotesTheReplicaWhenThePrimaryIsKilled() {
        try (RedisSentinelGroup group = RedisSentinelGroup.start(1, 3)) {
            assertThat(group.hosts().split(",")).hasSize(3);
            RedisServer primary = group.primary();
            assertThat(primary).isSameAs(group.servers().get(0));
            primary.call("SET", "k", "kept");
            primary.awaitReplicated(1, Duration.ofSeconds(5));

            primary.kill();
            RedisServer promoted = group.awaitFailover(primary, Duration.ofSeconds(30));
            assertThat(promoted).isSameAs(group.servers().get(1));
            assertThat(promoted.call("GET", "k")).isEqualTo("kept");
        }
    }
}
