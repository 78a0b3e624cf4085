package dev.quiver.contract.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;

import dev.quiver.testkit.RedisServer;
import dev.quiver.testkit.RedisServerExtension;
import dev.quiver.testkit.RespClient;

/** The presence script against a real redis-server: membership over pods, leases, paging, and what it publishes. */
@ExtendWith(RedisServerExtension.class)
class PresenceScriptTest {

    private static final String TOPIC = "room:1";
    private static final long LEASE = 60_000;

    private static Vertx vertx;
    private static Redis client;
    private static RedisServer redis;
    private RespClient subscriber;

    @BeforeAll
    static void connect(RedisServer server) {
        redis = server;
        vertx = Vertx.vertx();
        client = Redis.createClient(vertx, server.uri());
    }

    @AfterAll
    static void disconnect() {
        client.close();
        vertx.closeAndAwait();
    }

    @BeforeEach
    void empty() {
        redis.flushAll();
        if (subscriber != null) {
            subscriber.close();
        }
        subscriber = new RespClient("127.0.0.1", redis.port());
        subscriber.call("SSUBSCRIBE", new TopicKeys(TOPIC).live());
    }

    private static PresenceLayout.Update update(String pod, long lease, Integer anonymous, boolean release,
            Map<String, String> joins, List<String> leaves) {
        return PresenceLayout.update(LuaScript.PRESENCE.run(client, PresenceLayout.keys(TOPIC),
                PresenceLayout.updateArgs(pod, lease, anonymous, release, joins, leaves))
                .await().atMost(Duration.ofSeconds(10)).getDelegate());
    }

    private static PresenceLayout.Update join(String pod, String... subjects) {
        Map<String, String> joins = new LinkedHashMap<>();
        for (String subject : subjects) {
            joins.put(subject, "");
        }
        return update(pod, LEASE, null, false, joins, List.of());
    }

    private static PresenceLayout.Update leave(String pod, String... subjects) {
        return update(pod, LEASE, null, false, Map.of(), List.of(subjects));
    }

    private static PresenceLayout.Page page(String after, int limit) {
        return PresenceLayout.page(LuaScript.PRESENCE.run(client, PresenceLayout.keys(TOPIC),
                PresenceLayout.pageArgs(after, limit)).await().atMost(Duration.ofSeconds(10)).getDelegate());
    }

    /** The changes of the next presence message on the topic's channel. */
    private List<PresenceLayout.Change> published() {
        List<?> push = (List<?>) subscriber.next();
        assertThat(push.get(0)).isEqualTo("smessage");
        return PresenceLayout.changes(push.get(2).toString().getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> subjects(PresenceLayout.Page page) {
        List<String> subjects = new ArrayList<>();
        for (String member : page.members()) {
            subjects.add(member.replaceAll("^\\{\"sub\":\"([^\"]*)\".*$", "$1"));
        }
        return subjects;
    }

    @Test
    void aSubjectOnTwoPodsIsOneMemberThatLeavesWithItsLastPod() {
        assertThat(join("pod-a", "alice").changes()).isEqualTo(1);
        List<PresenceLayout.Change> joined = published();
        assertThat(joined).hasSize(1);
        assertThat(joined.get(0).join()).isTrue();
        assertThat(joined.get(0).member()).matches(
                "\\{\"sub\":\"alice\",\"since\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\"}");

        assertThat(join("pod-b", "alice").changes()).isZero();
        assertThat(page(null, 10).count()).isEqualTo(1);
        assertThat(leave("pod-a", "alice").changes()).isZero();
        assertThat(page(null, 10).count()).isEqualTo(1);

        assertThat(leave("pod-b", "alice").changes()).isEqualTo(1);
        List<PresenceLayout.Change> left = published();
        assertThat(left).containsExactly(new PresenceLayout.Change(false, "{\"sub\":\"alice\"}"));
        assertThat(page(null, 10).count()).isZero();
    }

    @Test
    void joinsAndLeavesAreIdempotentPerPod() {
        join("pod-a", "alice");
        assertThat(join("pod-a", "alice").changes()).isZero();
        assertThat(leave("pod-a", "bob").changes()).isZero();
        assertThat(leave("pod-a", "alice").changes()).isEqualTo(1);
        assertThat(leave("pod-a", "alice").changes()).isZero();
    }

    @Test
    void membersOfAPodWhoseLeaseEndedLeaveOnTheNextCall() throws InterruptedException {
        // A lease long enough that a slow machine cannot let it end before the checks that need it alive.
        update("pod-dead", 1500, 3, false, Map.of("alice", "", "bob", "{\"name\":\"Bob\"}"), List.of());
        join("pod-live", "bob");
        assertThat(page(null, 10).anonymous()).isEqualTo(3);
        published();
        Thread.sleep(1600);

        PresenceLayout.Page after = page(null, 10);
        assertThat(subjects(after)).containsExactly("bob");
        assertThat(after.anonymous()).isZero();
        assertThat(published()).containsExactly(new PresenceLayout.Change(false, "{\"sub\":\"alice\"}"));
        // bob stays: pod-live still holds him, and he keeps the info and since of his first join.
        assertThat(after.members().get(0)).startsWith("{\"sub\":\"bob\",\"info\":{\"name\":\"Bob\"},\"since\":");
    }

    @Test
    void aPodWhoseLeaseWasLetGoIsToldSo() throws InterruptedException {
        assertThat(update("pod-a", 1500, null, false, Map.of("alice", ""), List.of()).leaseMissing()).isTrue();
        assertThat(update("pod-a", 1500, null, false, Map.of(), List.of()).leaseMissing()).isFalse();
        Thread.sleep(1600);
        page(null, 1);
        assertThat(update("pod-a", 1500, null, false, Map.of(), List.of()).leaseMissing()).isTrue();
        assertThat(page(null, 10).count()).isZero();
    }

    @Test
    void releaseDropsThePodsEntriesAndLease() {
        update("pod-a", LEASE, 2, false, Map.of("alice", "", "bob", ""), List.of());
        published();
        assertThat(update("pod-a", LEASE, null, true, Map.of(), List.of()).changes()).isEqualTo(2);
        PresenceLayout.Page empty = page(null, 10);
        assertThat(empty.count()).isZero();
        assertThat(empty.anonymous()).isZero();
        assertThat(redis.call("ZCARD", new TopicKeys(TOPIC).presencePods())).isEqualTo(0L);
    }

    @Test
    void pagesGoInSubjectOrderWithoutRepeats() {
        join("pod-a", "carol", "alice", "dave", "bob", "erin");
        PresenceLayout.Page first = page(null, 2);
        assertThat(subjects(first)).containsExactly("alice", "bob");
        assertThat(first.more()).isTrue();
        assertThat(first.count()).isEqualTo(5);
        PresenceLayout.Page second = page("bob", 2);
        assertThat(subjects(second)).containsExactly("carol", "dave");
        PresenceLayout.Page last = page("dave", 2);
        assertThat(subjects(last)).containsExactly("erin");
        assertThat(last.more()).isFalse();
    }

    @Test
    void subjectsAreEscapedInMemberJson() {
        join("pod-a", "a\"b\\c");
        assertThat(published().get(0).member()).startsWith("{\"sub\":\"a\\\"b\\\\c\",");
    }

    @Test
    void keysExpireWhenEveryPodIsGone() {
        update("pod-a", 1000, 1, false, Map.of("alice", ""), List.of());
        TopicKeys keys = new TopicKeys(TOPIC);
        for (String key : List.of(keys.presencePods(), keys.presenceEntries(), keys.presenceRefs(),
                keys.presenceMembers(), keys.presenceIndex(), keys.presenceAnonymous())) {
            assertThat((Long) redis.call("PTTL", key)).as(key).isBetween(1L, 3000L);
        }
    }
}
