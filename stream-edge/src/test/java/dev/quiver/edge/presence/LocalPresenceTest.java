package dev.quiver.edge.presence;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** The pod's bookkeeping of one topic's presence: what reaches Redis, and what never needs to. */
class LocalPresenceTest {

    @Test
    void severalConnectionsOfOneSubjectAreOneJoinAndOneLeave() {
        LocalPresence local = new LocalPresence();
        local.enter("alice", "{\"n\":1}");
        local.enter("alice", "{\"n\":2}");
        LocalPresence.Delta first = local.take();
        assertThat(first.joins()).isEqualTo(Map.of("alice", "{\"n\":1}"));
        assertThat(first.release()).isFalse();

        local.exit("alice");
        assertThat(local.changed()).isFalse();
        local.exit("alice");
        LocalPresence.Delta last = local.take();
        assertThat(last.leaves()).containsExactly("alice");
        assertThat(last.release()).isTrue();
    }

    @Test
    void aReconnectBetweenWritesIsNoChange() {
        LocalPresence local = new LocalPresence();
        local.enter("alice", null);
        local.take();
        local.exit("alice");
        local.enter("alice", null);
        assertThat(local.changed()).isFalse();
        assertThat(local.take().isEmpty()).isTrue();
    }

    @Test
    void aVisitBetweenWritesIsNoChangeEither() {
        LocalPresence local = new LocalPresence();
        local.enter("bob", null);
        local.exit("bob");
        LocalPresence.Delta delta = local.take();
        assertThat(delta.joins()).isEmpty();
        assertThat(delta.leaves()).isEmpty();
    }

    @Test
    void anonymousConnectionsAreCountedOnly() {
        LocalPresence local = new LocalPresence();
        local.enter(null, null);
        local.enter(null, null);
        LocalPresence.Delta delta = local.take();
        assertThat(delta.joins()).isEmpty();
        assertThat(delta.anonymous()).isEqualTo(2);
        assertThat(local.take().anonymous()).isNull();
        local.exit(null);
        assertThat(local.take().anonymous()).isEqualTo(1);
        local.exit(null);
        LocalPresence.Delta last = local.take();
        assertThat(last.anonymous()).isZero();
        assertThat(last.release()).isTrue();
    }

    @Test
    void aFailedWriteIsToldAgainAsThingsStandNow() {
        LocalPresence local = new LocalPresence();
        local.enter("alice", null);
        local.enter("bob", null);
        local.take();
        local.exit("bob");
        local.enter("carol", null);
        LocalPresence.Delta failed = local.take();
        assertThat(failed.joins()).containsOnlyKeys("carol");
        assertThat(failed.leaves()).containsExactly("bob");

        local.enter("bob", null);
        local.failed(failed);
        LocalPresence.Delta retry = local.take();
        // Everything held is told again (joins are idempotent); bob came back, so his leave is not.
        assertThat(retry.joins()).containsOnlyKeys("alice", "bob", "carol");
        assertThat(retry.leaves()).isEmpty();
        assertThat(retry.anonymous()).isZero();
    }

    @Test
    void aLostLeaseResendsEverySubject() {
        LocalPresence local = new LocalPresence();
        local.enter("alice", "{}");
        local.enter(null, null);
        local.take();
        local.resync();
        LocalPresence.Delta delta = local.take();
        assertThat(delta.joins()).isEqualTo(Map.of("alice", "{}"));
        assertThat(delta.anonymous()).isEqualTo(1);
        assertThat(Set.copyOf(local.held())).isEqualTo(Set.of("alice"));
    }

    @Test
    void anExitWithoutEnterChangesNothing() {
        LocalPresence local = new LocalPresence();
        local.exit("ghost");
        local.exit(null);
        assertThat(local.changed()).isFalse();
        assertThat(local.held()).isEqualTo(List.of());
    }
}
