package dev.quiver.contract.nats;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.PublishOptions;
import io.nats.client.PurgeOptions;
import io.nats.client.api.MessageGetRequest;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.StreamInfoOptions;
import io.nats.client.api.Subject;

import dev.quiver.contract.redis.RetentionPolicy;

/**
 * History retention on JetStream (docs/nats.md, "Retention and the floor"). JetStream's own limits would drop the last
 * message of a quiet key with its history, and the topic state is never trimmed; so Quiver trims: the events of a
 * topic beyond its limits ({@link RetentionPolicy}) are removed unless they are the last of their key.
 * <p>
 * Before anything is removed the topic's floor, the highest sequence about to be removed, is written to the meta
 * stream, and it only ever grows (two pods trimming at once cannot lower it): a cursor below it is {@code expired}, at
 * or above it nothing after it is missing. Blocking; runs on a worker, never on a request's path.
 */
@ApplicationScoped
public class NatsRetention {

    private static final Logger LOG = Logger.getLogger(NatsRetention.class);
    /** JetStream's "wrong last sequence" for an expected-last-subject-sequence publish. */
    private static final int WRONG_LAST_SEQUENCE = 10071;

    private final NatsBroker broker;

    public NatsRetention(NatsBroker broker) {
        this.broker = broker;
    }

    /** What one trim did. */
    public record Trim(long floor, long removed) {

        /** Nothing was beyond the limits. */
        static final Trim NONE = new Trim(0, 0);
    }

    /**
     * Trims {@code topic} to {@code limits} as of {@code now}. The newest event of the topic is never removed, whatever
     * the limits say.
     */
    public Trim trim(String topic, RetentionPolicy.Limits limits, Instant now)
            throws IOException, JetStreamApiException {
        if (limits.maxLen() == 0 && limits.maxAge().isZero()) {
            return Trim.NONE;
        }
        NatsLayout layout = broker.layout();
        JetStreamManagement management = broker.management();
        String filter = layout.topicFilter(topic);
        long total = 0;
        for (Subject subject : management.getStreamInfo(layout.stream(), StreamInfoOptions.filterSubjects(filter))
                .getStreamState().getSubjects()) {
            total += subject.getCount();
        }
        long overCount = limits.maxLen() > 0 ? total - limits.maxLen() : 0;
        Instant oldest = limits.maxAge().isZero() ? Instant.MIN : now.minus(limits.maxAge());
        // The candidates: the oldest events, while over the count or older than the age. Their subjects (keys) decide
        // what goes: a key's messages below the cut, except its last one when that is below the cut too.
        Map<String, long[]> candidateSubjects = new LinkedHashMap<>();
        long cut = 0;
        long index = 0;
        long next = 1;
        while (index < total - 1) {
            MessageInfo message = broker.next(filter, next);
            if (message == null) {
                break;
            }
            boolean beyond = index < overCount || message.getTime().toInstant().isBefore(oldest);
            if (!beyond) {
                break;
            }
            // Per subject, its two highest sequences below the cut: [highest, the one before].
            long[] seen = candidateSubjects.computeIfAbsent(message.getSubject(), s -> new long[2]);
            seen[1] = seen[0];
            seen[0] = message.getSeq();
            cut = message.getSeq() + 1;
            next = cut;
            index++;
        }
        if (candidateSubjects.isEmpty()) {
            return Trim.NONE;
        }
        // What stays below the cut: the last message of a key whose last message it is (unless that is a delete).
        Set<String> keepLast = new LinkedHashSet<>();
        long floor = 0;
        for (Map.Entry<String, long[]> candidate : candidateSubjects.entrySet()) {
            String subject = candidate.getKey();
            boolean keyed = layout.address(subject) != null && layout.address(subject).key() != null;
            if (keyed) {
                MessageInfo last = broker.last(subject);
                boolean deleted = last.getHeaders() != null
                        && "delete".equals(last.getHeaders().getFirst(NatsEventWriter.OP));
                if (last.getSeq() < cut && !deleted) {
                    // The key's last message stays; its older ones go, the highest of them just before it.
                    keepLast.add(subject);
                    floor = Math.max(floor, candidate.getValue()[1]);
                    continue;
                }
            }
            floor = Math.max(floor, candidate.getValue()[0]);
        }
        if (floor == 0) {
            return Trim.NONE;
        }
        raiseFloor(topic, floor);
        long removed = 0;
        for (String subject : candidateSubjects.keySet()) {
            // Below the kept last message, not "keep 1": a message of the key written meanwhile must not push the kept
            // one out unaccounted by the floor.
            long below = keepLast.contains(subject) ? candidateSubjects.get(subject)[0] : cut;
            PurgeOptions purge = PurgeOptions.builder().subject(subject).sequence(below).build();
            removed += management.purgeStream(layout.stream(), purge).getPurged();
        }
        LOG.debugf("trimmed %s: %d events removed, floor %d", topic, removed, floor);
        return new Trim(floor, removed);
    }

    /**
     * The topic's floor, 0 when nothing was ever removed.
     */
    public long floor(String topic) throws IOException, JetStreamApiException {
        MessageInfo current = currentFloor(topic);
        return current == null ? 0 : Long.parseLong(new String(current.getData(), StandardCharsets.US_ASCII));
    }

    /** Writes {@code floor} unless the stored one is already as high: never lowers it, even with two writers. */
    private void raiseFloor(String topic, long floor) throws IOException, JetStreamApiException {
        NatsLayout layout = broker.layout();
        for (int attempt = 0; attempt < 10; attempt++) {
            MessageInfo current = currentFloor(topic);
            long stored = current == null
                    ? 0
                    : Long.parseLong(new String(current.getData(), StandardCharsets.US_ASCII));
            if (stored >= floor) {
                return;
            }
            try {
                broker.jetStream().publish(layout.floorSubject(topic),
                        Long.toString(floor).getBytes(StandardCharsets.US_ASCII),
                        PublishOptions.builder().expectedStream(layout.metaStream())
                                .expectedLastSubjectSequence(current == null ? 0 : current.getSeq()).build());
                return;
            } catch (JetStreamApiException e) {
                if (e.getApiErrorCode() != WRONG_LAST_SEQUENCE) {
                    throw e;
                }
                // Another pod raised it meanwhile: read it again.
            }
        }
        throw new IllegalStateException("could not raise the floor of " + topic + " after 10 attempts");
    }

    private MessageInfo currentFloor(String topic) throws IOException, JetStreamApiException {
        NatsLayout layout = broker.layout();
        try {
            return broker.management().getMessage(layout.metaStream(),
                    MessageGetRequest.lastForSubject(layout.floorSubject(topic)));
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() == NatsBroker.NO_MESSAGE) {
                return null;
            }
            throw e;
        }
    }

    /** How often a topic is worth a look: every tenth of its count limit, or every tenth of its age limit. */
    static boolean due(RetentionPolicy.Limits limits, long writesSince, Duration sinceLast) {
        if (limits.maxLen() > 0 && writesSince >= Math.max(1, limits.maxLen() / 10)) {
            return true;
        }
        return !limits.maxAge().isZero() && sinceLast.compareTo(limits.maxAge().dividedBy(10)) >= 0;
    }
}
