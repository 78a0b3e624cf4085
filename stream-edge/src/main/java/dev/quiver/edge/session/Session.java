package dev.quiver.edge.session;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

import org.jboss.logging.Logger;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;

import dev.quiver.contract.cursor.CompositeCursor;
import dev.quiver.contract.cursor.TopicPosition;
import dev.quiver.edge.broker.HistorySource;
import dev.quiver.edge.event.EncodedEvent;
import dev.quiver.edge.event.EventBatch;
import dev.quiver.edge.event.PresenceBatch;
import dev.quiver.edge.hub.Subscriber;
import dev.quiver.edge.hub.TopicHub;
import dev.quiver.edge.hub.TopicView;
import dev.quiver.edge.loop.EventLoops;

/**
 * One client's subscription to a set of topics, on any transport: joins the hub, decides per topic whether the
 * client's cursor can be honoured, replays what it missed, then goes live with no gap and no duplicate at the seam.
 * <p>
 * The seam: the hub adds the session first and answers with the position live delivery starts after; the session
 * replays up to exactly that position while live events queue, then releases the queue. Any event at or before a
 * topic's current position is dropped, so nothing is delivered twice whatever order the two paths race in.
 * <p>
 * A cursor that cannot be honoured never leads to a partial replay presented as complete: the client gets a reset
 * for that topic ({@code expired}: older than retention; {@code unknown}: another history, or a position the topic
 * never had) and live delivery from now.
 * <p>
 * What differs between transports is its {@link SessionSink}. All methods run on the session's context.
 */
public final class Session implements Subscriber {

    private static final Logger LOG = Logger.getLogger(Session.class);

    private static final class Slot {

        TopicPosition position;
        boolean live;
        /** The replay stopped early (a long poll's page); later events must not be delivered past the gap. */
        boolean truncated;
        /** Bumped when the topic's history is replaced: async work started before must not touch the slot. */
        int generation;
        /** Whether the sink was told how this topic resumes. */
        boolean decided;
        List<EncodedEvent> pending = new ArrayList<>();
    }

    private final Context context;
    private final List<String> topics;
    private final SessionSink sink;
    private final TopicHub hub;
    private final HistorySource history;
    private final int replayBatch;
    private final int maxPending;
    private final SortedMap<String, Slot> slots = new TreeMap<>();
    /**
     * The slot of a session on one topic (most are), else {@code null}: every delivery looks its slot up, and a map
     * lookup per delivery showed in the profile of 10,000 subscribers (docs/benchmarks.md, issue #18 goal 2).
     */
    private final Slot onlySlot;
    private final String onlyTopic;
    private boolean joined;
    private boolean closed;
    private int preparing;

    public Session(Context context, List<String> sortedTopics, TopicHub hub, HistorySource history, int replayBatch,
            int maxPending, SessionSink sink) {
        this.context = context;
        this.sink = sink;
        this.topics = sortedTopics;
        this.hub = hub;
        this.history = history;
        this.replayBatch = replayBatch;
        this.maxPending = maxPending;
        for (String topic : sortedTopics) {
            slots.put(topic, new Slot());
        }
        this.onlyTopic = sortedTopics.size() == 1 ? sortedTopics.get(0) : null;
        this.onlySlot = onlyTopic != null ? slots.get(onlyTopic) : null;
    }

    @Override
    public Context context() {
        return context;
    }

    /**
     * Joins the hub and starts delivery.
     *
     * @param requested the client's position per topic; a missing topic means "live from now"
     */
    public Future<Void> start(SortedMap<String, TopicPosition> requested) {
        return hub.subscribe(this, topics, requested).map(views -> {
            joined = true;
            if (closed) {
                // The client left while the hub was adding it.
                hub.unsubscribe(this, topics);
                return null;
            }
            sink.joined();
            preparing = views.size();
            for (TopicView view : views) {
                // Until its replay is decided, a topic's cursor is where the client said it was.
                TopicPosition asked = requested.get(view.topic());
                slots.get(view.topic()).position = asked != null ? asked : view.position();
            }
            for (TopicView view : views) {
                prepare(view, requested.get(view.topic()));
            }
            return null;
        });
    }

    /** Leaves the hub; idempotent. */
    public void close() {
        if (!closed) {
            closed = true;
            if (joined) {
                hub.unsubscribe(this, topics);
            }
        }
    }

    public boolean isClosed() {
        return closed;
    }

    /** The composite cursor of everything delivered so far. */
    public String cursor() {
        SortedMap<String, TopicPosition> positions = new TreeMap<>();
        slots.forEach(
                (topic, slot) -> positions.put(topic, slot.position == null ? TopicPosition.EMPTY : slot.position));
        return CompositeCursor.encode(positions);
    }

    /** Whether every topic finished its replay (or needed none). */
    public boolean prepared() {
        return joined && preparing == 0;
    }

    private void prepare(TopicView view, TopicPosition client) {
        if (closed) {
            // A replay of held events already answered a long poll, or the client left.
            return;
        }
        Slot slot = slots.get(view.topic());
        TopicPosition head = view.position();
        if (!ResumePlan.needsFacts(client, head)) {
            follow(view.topic(), slot, head, ResumePlan.decide(client, head, null));
            return;
        }
        if (view.recent() != null) {
            // The pod holds every event after the cursor: nothing is missing, so neither the facts nor a range are read.
            slot.position = client;
            decide(view.topic(), slot, true);
            replayHeld(view.topic(), slot, view.recent());
            return;
        }
        int generation = slot.generation;
        onContext(history.meta(view.topic(), head), meta -> {
            if (closed || slot.generation != generation) {
                return;
            }
            if (meta.failed()) {
                preparationFailed(meta.cause());
                return;
            }
            follow(view.topic(), slot, head, ResumePlan.decide(client, head, meta.result()));
        });
    }

    private void follow(String topic, Slot slot, TopicPosition head, ResumePlan plan) {
        if (plan instanceof ResumePlan.Live live) {
            slot.position = live.after();
            decide(topic, slot, live.recovered());
            goLive(topic, slot, live.after());
        } else if (plan instanceof ResumePlan.Replay replay) {
            slot.position = replay.from();
            decide(topic, slot, true);
            replay(topic, slot, head);
        } else if (plan instanceof ResumePlan.Reset reset) {
            reset(topic, slot, reset.head(), reset.reason());
        }
    }

    private void replay(String topic, Slot slot, TopicPosition head) {
        int generation = slot.generation;
        onContext(history.range(topic, slot.position.id(), head.id(), replayBatch), read -> {
            if (closed || slot.generation != generation) {
                return;
            }
            if (read.failed()) {
                preparationFailed(read.cause());
                return;
            }
            HistorySource.Page page = read.result();
            ResetReason lost = ResumePlan.interrupted(slot.position, head.epoch(), page.meta());
            if (lost != null) {
                reset(topic, slot, head, lost);
                return;
            }
            for (EncodedEvent event : page.events()) {
                if (closed) {
                    return;
                }
                slot.position = event.position();
                sink.event(event);
            }
            if (closed) {
                return;
            }
            boolean more = page.full() && slot.position.id().isBefore(head.id());
            if (more && sink.wantsMoreReplay()) {
                replay(topic, slot, head);
                return;
            }
            slot.truncated = more;
            goLive(topic, slot, slot.position);
        });
    }

    /** A replay of events the hub held, paged like one read from Redis so a long poll still answers with one page. */
    private void replayHeld(String topic, Slot slot, List<EncodedEvent> events) {
        int inPage = 0;
        for (EncodedEvent event : events) {
            if (closed) {
                return;
            }
            if (inPage == replayBatch) {
                if (!sink.wantsMoreReplay()) {
                    slot.truncated = true;
                    break;
                }
                inPage = 0;
            }
            slot.position = event.position();
            sink.event(event);
            inPage++;
        }
        if (!closed) {
            goLive(topic, slot, slot.position);
        }
    }

    private void reset(String topic, Slot slot, TopicPosition head, ResetReason reason) {
        slot.position = head;
        decide(topic, slot, false);
        sink.reset(ResetNotice.of(topic, reason), reason);
        goLive(topic, slot, head);
    }

    private void goLive(String topic, Slot slot, TopicPosition position) {
        slot.position = position;
        slot.live = true;
        List<EncodedEvent> queued = slot.pending;
        slot.pending = List.of();
        deliverLive(topic, slot, queued);
        preparing--;
        if (preparing == 0 && !closed) {
            sink.prepared();
        }
    }

    @Override
    public void onEvents(String topic, List<EncodedEvent> events) {
        Slot slot = slot(topic);
        if (closed || slot == null) {
            return;
        }
        if (!slot.live) {
            if (slot.pending.size() + events.size() > maxPending) {
                sink.overflow();
                return;
            }
            if (slot.pending.isEmpty()) {
                slot.pending = new ArrayList<>();
            }
            slot.pending.addAll(events);
            return;
        }
        deliverLive(topic, slot, events);
    }

    private void deliverLive(String topic, Slot slot, List<EncodedEvent> events) {
        if (slot.truncated) {
            return;
        }
        if (events.size() > 1 && events instanceof EventBatch batch && sink.takesBatches()
                && isNewer(slot.position, batch.get(0))) {
            // A batch is in stream order within one epoch: after its first event, every later one is newer too.
            slot.position = batch.last().position();
            sink.batch(batch);
            return;
        }
        for (EncodedEvent event : events) {
            if (closed) {
                return;
            }
            if (isNewer(slot.position, event)) {
                slot.position = event.position();
                sink.event(event);
            }
        }
    }

    /** Redis failed while preparing: the client is told to come back (to any pod); the cause is for operators. */
    private void preparationFailed(Throwable cause) {
        LOG.debugf("stream preparation failed, the client is told to reconnect: %s", cause);
        sink.failed(cause);
    }

    private Slot slot(String topic) {
        if (onlySlot != null) {
            return onlyTopic.equals(topic) ? onlySlot : null;
        }
        return slots.get(topic);
    }

    /** Only this history's later events: events of another epoch are leftovers of a replaced history. */
    private static boolean isNewer(TopicPosition at, EncodedEvent event) {
        return at.epoch() == null || at.epoch().equals(event.position().epoch()) && at.id().isBefore(event.id());
    }

    @Override
    public void onPresence(PresenceBatch batch) {
        if (joined && !closed && sink.wantsPresence()) {
            sink.presence(batch);
        }
    }

    @Override
    public void onHistoryReplaced(TopicView view) {
        Slot slot = slots.get(view.topic());
        if (closed || slot == null || !joined || slot.position == null) {
            // Not joined yet: the views it will get already describe the new history.
            return;
        }
        LOG.debugf("history of %s replaced; resetting a subscriber", view.topic());
        slot.generation++;
        slot.position = view.position();
        sink.reset(ResetNotice.of(view.topic(), ResetReason.UNKNOWN), ResetReason.UNKNOWN);
        if (!slot.live) {
            // Its replay or retention check is abandoned (the generation moved on); it continues live from here.
            slot.pending = List.of();
            goLive(view.topic(), slot, view.position());
        }
    }

    /**
     * Runs {@code handler} on this session's event loop: Redis futures complete on the Redis connection's loop, and a
     * session's state must only ever be touched from its own.
     */
    private <T> void onContext(Future<T> future, Handler<AsyncResult<T>> handler) {
        EventLoops.onContext(future, context, handler);
    }

    private void decide(String topic, Slot slot, boolean recovered) {
        if (!slot.decided) {
            slot.decided = true;
            sink.decided(topic, recovered, slot.position);
        }
    }

    /** The position delivered so far in {@code topic}. */
    public TopicPosition position(String topic) {
        return slots.get(topic).position;
    }
}
