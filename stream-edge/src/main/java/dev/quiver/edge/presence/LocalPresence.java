package dev.quiver.edge.presence;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.quiver.contract.nats.PresenceRecord;

/**
 * What one pod holds of one topic's presence, and what Redis has not heard yet. Several connections of one subject
 * are one entry; a subject that leaves and comes back before the next write (a reconnect) is no change at all. Pure:
 * the tracker calls it on its own context and does the Redis work.
 */
final class LocalPresence {

    /** What to tell Redis in one call. */
    record Delta(Map<String, String> joins, Set<String> leaves, Integer anonymous, boolean release) {

        boolean isEmpty() {
            return joins.isEmpty() && leaves.isEmpty() && anonymous == null && !release;
        }
    }

    private static final class Held {

        int connections;
        final String info;
        final long sinceMillis = System.currentTimeMillis();

        Held(String info) {
            this.info = info;
        }
    }

    private final Map<String, Held> subjects = new HashMap<>();
    private final Map<String, String> joins = new LinkedHashMap<>();
    private final Set<String> leaves = new LinkedHashSet<>();
    private int anonymous;
    private boolean anonymousChanged;
    /** Redis may lack some of what the pod holds: the next delta carries every subject. */
    private boolean resync;

    /** A connection of {@code subject} ({@code null}: without one) is here. */
    void enter(String subject, String info) {
        if (subject == null) {
            anonymous++;
            anonymousChanged = true;
            return;
        }
        Held held = subjects.get(subject);
        if (held == null) {
            held = new Held(info);
            subjects.put(subject, held);
            if (!leaves.remove(subject)) {
                joins.put(subject, info == null ? "" : info);
            }
        }
        held.connections++;
    }

    /** A connection of {@code subject} left. */
    void exit(String subject) {
        if (subject == null) {
            if (anonymous > 0) {
                anonymous--;
                anonymousChanged = true;
            }
            return;
        }
        Held held = subjects.get(subject);
        if (held == null) {
            return;
        }
        if (--held.connections == 0) {
            subjects.remove(subject);
            if (joins.remove(subject) == null) {
                leaves.add(subject);
            }
        }
    }

    /** Whether Redis has something to hear. */
    boolean changed() {
        return !joins.isEmpty() || !leaves.isEmpty() || anonymousChanged || resync;
    }

    /** Whether the pod holds no connection here. */
    boolean isEmpty() {
        return subjects.isEmpty() && anonymous == 0;
    }

    /** Distinct subjects held. */
    int subjects() {
        return subjects.size();
    }

    int anonymous() {
        return anonymous;
    }

    /** What Redis has not heard yet; from now on it counts as told. */
    Delta take() {
        Map<String, String> outJoins;
        if (resync) {
            outJoins = new LinkedHashMap<>();
            subjects.forEach((subject, held) -> outJoins.put(subject, held.info == null ? "" : held.info));
        } else {
            outJoins = new LinkedHashMap<>(joins);
        }
        Integer outAnonymous = anonymousChanged || resync ? anonymous : null;
        Delta delta = new Delta(outJoins, new LinkedHashSet<>(leaves), outAnonymous, isEmpty());
        joins.clear();
        leaves.clear();
        anonymousChanged = false;
        resync = false;
        return delta;
    }

    /**
     * A write failed, or may not have happened: what it carried is told again, as it stands now. Joins and leaves are
     * idempotent in Redis, so telling one twice is harmless.
     */
    void failed(Delta delta) {
        for (String subject : delta.leaves()) {
            if (!subjects.containsKey(subject)) {
                leaves.add(subject);
            }
        }
        resync = true;
    }

    /** Redis lost the pod's entries (its lease ended while it was away): everything it holds is told again. */
    void resync() {
        resync = true;
    }

    /** Everything the pod holds here, as NATS presence records it (a record says it all, every time). */
    List<PresenceRecord.Member> members() {
        List<PresenceRecord.Member> members = new ArrayList<>(subjects.size());
        subjects.forEach((subject, held) -> members.add(new PresenceRecord.Member(subject,
                held.info == null || held.info.isEmpty() ? null : held.info, PresenceRecord.since(held.sinceMillis))));
        return members;
    }

    /** Every subject held, for tests. */
    Collection<String> held() {
        return List.copyOf(subjects.keySet());
    }
}
