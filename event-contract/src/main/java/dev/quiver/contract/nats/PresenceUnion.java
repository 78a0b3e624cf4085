package dev.quiver.contract.nats;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import dev.quiver.contract.redis.PresenceLayout;

/**
 * A topic's presence from its pods' records (docs/nats.md, "Presence"): a subject is a member while at least one pod
 * holds it, it joins when the first pod does and leaves when the last one stops. What Redis's presence script does
 * with counters, done here by every reader from the records, so no two writers ever have to agree on a count. Pure;
 * time is given.
 */
public final class PresenceUnion {

    private static final class Held {

        PresenceRecord record;
        long seenMillis;
        final Set<String> subs = new HashSet<>();

        Held(PresenceRecord record, long seenMillis) {
            this.record = record;
            this.seenMillis = seenMillis;
        }
    }

    private final Map<String, Held> pods = new HashMap<>();
    /** Per subject, how many pods hold it. */
    private final Map<String, Integer> holders = new HashMap<>();

    /**
     * {@code pod}'s record, seen at {@code nowMillis}: the joins and leaves it makes, in that order. A record older than
     * the one held for the pod changes nothing (it only counts as a sign of life when it is the same one).
     */
    public List<PresenceLayout.Change> apply(String pod, PresenceRecord record, long nowMillis) {
        Held held = pods.get(pod);
        if (held != null && record.version() < held.record.version()) {
            return List.of();
        }
        if (held == null) {
            held = new Held(record, nowMillis);
            pods.put(pod, held);
        }
        held.record = record;
        held.seenMillis = nowMillis;
        Set<String> now = new HashSet<>();
        List<PresenceLayout.Change> changes = new ArrayList<>();
        for (PresenceRecord.Member member : record.members()) {
            if (now.add(member.sub()) && !held.subs.contains(member.sub())
                    && holders.merge(member.sub(), 1, Integer::sum) == 1) {
                changes.add(new PresenceLayout.Change(true, member.json()));
            }
        }
        for (String sub : held.subs) {
            if (!now.contains(sub)) {
                leave(sub, changes);
            }
        }
        held.subs.clear();
        held.subs.addAll(now);
        if (record.members().isEmpty() && record.anonymous() == 0) {
            // A pod that holds nothing any more (it released the topic) is forgotten at once.
            pods.remove(pod);
        }
        return changes;
    }

    /** Pods not heard of for longer than {@code timeoutMillis} are gone (they died): the leaves their members make. */
    public List<PresenceLayout.Change> expire(long nowMillis, long timeoutMillis) {
        List<PresenceLayout.Change> changes = new ArrayList<>();
        for (Iterator<Held> it = pods.values().iterator(); it.hasNext();) {
            Held held = it.next();
            if (nowMillis - held.seenMillis > timeoutMillis) {
                it.remove();
                held.subs.forEach(sub -> leave(sub, changes));
            }
        }
        return changes;
    }

    /** Every pod counts as heard of at {@code nowMillis} (the reader could not hear anyone until then). */
    public void heardAll(long nowMillis) {
        pods.values().forEach(held -> held.seenMillis = nowMillis);
    }

    /** Whether no pod is held. */
    public boolean isEmpty() {
        return pods.isEmpty();
    }

    private void leave(String sub, List<PresenceLayout.Change> changes) {
        Integer left = holders.merge(sub, -1, Integer::sum);
        if (left != null && left <= 0) {
            holders.remove(sub);
            changes.add(new PresenceLayout.Change(false, new PresenceRecord.Member(sub, null, "").leaveJson()));
        }
    }

    /**
     * One page of the members the {@code records} hold together: ordered by subject (byte order of UTF-8, as Redis
     * orders them), each once, with the {@code info} and earliest {@code since} any pod has for it; anonymous
     * connections summed.
     */
    public static PresenceLayout.Page page(Collection<PresenceRecord> records, String after, int limit) {
        TreeMap<String, PresenceRecord.Member> members = new TreeMap<>(PresenceUnion::byteOrder);
        long anonymous = 0;
        for (PresenceRecord record : records) {
            anonymous += record.anonymous();
            for (PresenceRecord.Member member : record.members()) {
                members.merge(member.sub(), member,
                        (kept, other) -> other.since().compareTo(kept.since()) < 0 ? other : kept);
            }
        }
        Map<String, PresenceRecord.Member> from = after == null ? members : members.tailMap(after, false);
        List<String> page = new ArrayList<>(Math.min(limit, from.size()));
        for (PresenceRecord.Member member : from.values()) {
            if (page.size() == limit) {
                break;
            }
            page.add(member.json());
        }
        return new PresenceLayout.Page(members.size(), anonymous, page, from.size() > page.size());
    }

    private static int byteOrder(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
