package dev.quiver.contract.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.quiver.testkit.RedisCluster;

/** The slot Quiver computes is the slot a real Redis Cluster computes, hash tags included. */
class KeySlotTest {

    @Test
    void knownValuesFromTheRedisClusterSpecification() {
        // CRC16-XMODEM("123456789") = 0x31C3 (the specification's check value); 0x31C3 % 16384 = 12739.
        assertThat(KeySlot.of("123456789")).isEqualTo(12739);
        assertThat(KeySlot.of("{user1000}.following")).isEqualTo(KeySlot.of("{user1000}.followers"));
    }

    @Test
    void agreesWithARealClusterOnTopicKeysChannelsAndOddKeys() {
        Random random = new Random(17);
        List<String> keys = new ArrayList<>(List.of("", "{", "}", "{}", "{}x", "a{b}c", "a{{b}}", "foo{}{bar}",
                "foo{{bar}}zap", "foo{bar}{zap}", "é{ü}", "orders"));
        for (int i = 0; i < 200; i++) {
            TopicKeys topic = new TopicKeys("t" + Long.toString(random.nextLong() & Long.MAX_VALUE, 36) + ".é" + i);
            keys.add(topic.stream());
            keys.add(topic.live());
        }
        try (RedisCluster cluster = RedisCluster.start(3, 0)) {
            for (String key : keys) {
                assertThat(KeySlot.of(key)).as(key).isEqualTo(cluster.slotOf(key));
            }
        }
    }
}
