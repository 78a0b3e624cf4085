package dev.quiver.contract.nats;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.quiver.contract.config.PresenceConfig;
import dev.quiver.contract.redis.PresenceLayout;
import dev.quiver.testkit.NatsServer;

/** Presence records on a real nats-server: stored per topic and pod, read back, aged out with the timeout. */
class NatsPresenceTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration SHORT = Duration.ofMillis(1500);
    private static NatsServer server;
    private static NatsBroker broker;
    private static NatsPresence presence;
    /** Another stream, whose records live {@link #SHORT}. */
    private static NatsBroker shortBroker;
    private static NatsPresence shortLived;

    @BeforeAll
    static void start() {
        server = NatsServer.start();
        broker = new NatsBroker(NatsEventWriterTest.config(server.url(), "QP", Duration.ofSeconds(2)),
                NatsEventWriterTest.events());
        presence = new NatsPresence(broker, NatsEventWriterTest.config(server.url(), "QP", Duration.ofSeconds(2)),
                config(Duration.ofMinutes(1)));
        shortBroker = new NatsBroker(NatsEventWriterTest.config(server.url(), "QS", Duration.ofSeconds(2)),
                NatsEventWriterTest.events());
        shortLived = new NatsPresence(shortBroker, NatsEventWriterTest.config(server.url(), "QS",
                Duration.ofSeconds(2)), config(SHORT));
    }

    @AfterAll
    static void stop() {
        broker.close();
        shortBroker.close();
        server.close();
    }

    private static PresenceRecord record(long version, String... subs) {
        return new PresenceRecord(version, 1, java.util.Arrays.stream(subs)
                .map(sub -> new PresenceRecord.Member(sub, null, PresenceRecord.since(System.currentTimeMillis())))
                .toList());
    }

    @Test
    void theLastRecordOfEachPodIsReadAndJoinedIntoPages() throws Exception {
        assertThat(presence.records("room.empty")).isEmpty();
        presence.publish("room.a", "pod-1", record(1, "ann")).await().atMost(WAIT);
        presence.publish("room.a", "pod-1", record(2, "ann", "bo")).await().atMost(WAIT);
        presence.publish("room.a", "pod.2|x", record(1, "bo", "cy")).await().atMost(WAIT);
        presence.publish("room.b", "pod-1", record(1, "di")).await().atMost(WAIT);

        assertThat(presence.records("room.a")).containsOnlyKeys("pod-1", "pod.2|x");
        assertThat(presence.records("room.a").get("pod-1").version()).isEqualTo(2);
        PresenceLayout.Page page = presence.page("room.a", null, 2).await().atMost(WAIT);
        assertThat(page.count()).isEqualTo(3);
        assertThat(page.anonymous()).isEqualTo(2);
        assertThat(page.members()).hasSize(2).allMatch(member -> member.startsWith("{\"sub\":"));
        assertThat(page.more()).isTrue();
        assertThat(presence.count("room.b").await().atMost(WAIT).count()).isEqualTo(1);
    }

    @Test
    void aRecordNotRenewedWithinTheTimeoutIsGone() throws Exception {
        shortLived.publish("room.dead", "gone", record(1, "ann")).await().atMost(WAIT);
        assertThat(shortLived.records("room.dead")).containsOnlyKeys("gone");
        long deadline = System.nanoTime() + SHORT.multipliedBy(4).toNanos();
        while (!shortLived.records("room.dead").isEmpty()) {
            assertThat(System.nanoTime()).as("aged out").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    static PresenceConfig config(Duration timeout) {
        return new PresenceConfig() {

            @Override
            public Optional<List<String>> topics() {
                return Optional.of(List.of("room.*"));
            }

            @Override
            public Duration refreshInterval() {
                return Duration.ofMillis(200);
            }

            @Override
            public Duration timeout() {
                return timeout;
            }

            @Override
            public Duration flushInterval() {
                return Duration.ofMillis(50);
            }

            @Override
            public Duration pollWindow() {
                return Duration.ofSeconds(35);
            }
        };
    }
}
