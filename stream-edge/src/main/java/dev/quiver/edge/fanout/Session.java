package dev.quiver.edge.fanout;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;

import org.jboss.logging.Logger;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.impl.ContextInternal;

import dev.quiver.contract.cursor.CompositeCursor;
import dev.quiver.contract.cursor.TopicPosition;
import dev.quiver.contract.redis.StreamId;

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
 * All methods run on the session's context.
 */
public abstract class Session implements Subscriber {

    private static final Logger LOG = Logger.getLogger(Session.class);

    /** Why a cursor could not be honoured. */
    public enum ResetReason {

        EXPIRED,
        UNKNOWN;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final class Slot {

        TopicPosition position;
        boolean live;
        /** The replay stopped early (a long poll's page); later events must not be delivered past the gap. */
        boolean truncated;
        /** Bumped when the topic's history is replaced: async work started before must not touch the slot. */
        int generation;
        /** Whether {@link Session#onDecided} was called for this topic. */
        boolean decided;
        List<EncodedEvent> pending = new ArrayList<>();
    }

    protected final Context context;
    protected final List<String> topics;
    private final TopicHub hub;
    private final HistoryReader history;
    private final int replayBatch;
    private final int maxPending;
    private final SortedMap<String, Slot> slots = new TreeMap<>();
    private boolean joined;
    private boolean closed;
    private int preparing;

    protected Session(Context context, List<String> sortedTopics, TopicHub hub, HistoryReader history, int replayBatch,
            int maxPending) {
        this.context = context;
        this.topics = sortedTopics;
        this.hub = hub;
        this.history = history;
        this.replayBatch = replayBatch;
        this.maxPending = maxPending;
        for (String topic : sortedTopics) {
            slots.put(topic, new Slot());
        }
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
        return hub.subscribe(this, topics).map(views -> {
            joined = true;
            if (closed) {
                // The client left while the hub was adding it.
                hub.unsubscribe(this, topics);
                return null;
            }
            onJoined();
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
    protected boolean prepared() {
        return joined && preparing == 0;
    }

    private void prepare(TopicView view, TopicPosition client) {
        Slot slot = slots.get(view.topic());
        TopicPosition head = view.position();
        if (client == null) {
            slot.position = head;
            decide(view.topic(), slot, false);
            goLive(view.topic(), slot, head);
            return;
        }
        if (head.epoch() == null) {
            if (client.epoch() == null) {
                slot.position = head;
                decide(view.topic(), slot, true);
                goLive(view.topic(), slot, head);
            } else {
                reset(view.topic(), slot, head, ResetReason.UNKNOWN);
            }
            return;
        }
        if (client.epoch() != null && !client.epoch().equals(head.epoch())) {
            reset(view.topic(), slot, head, ResetReason.UNKNOWN);
            return;
        }
        StreamId from = client.epoch() == null ? StreamId.ZERO : client.id();
        if (from.equals(head.id())) {
            slot.position = head;
            decide(view.topic(), slot, true);
            goLive(view.topic(), slot, head);
            return;
        }
        int generation = slot.generation;
        onContext(history.meta(view.topic()), meta -> {
            if (closed || slot.generation != generation) {
                return;
            }
            if (meta.failed()) {
                preparationFailed(meta.cause());
                return;
            }
            HistoryReader.Meta facts = meta.result();
            if (!head.epoch().equals(facts.epoch())) {
                reset(view.topic(), slot, head, ResetReason.UNKNOWN);
            } else if (head.id().isBefore(from)) {
                // Ahead of this pod's reader: fine if the topic really has it (another pod served it), else bogus.
                if (facts.cursor() != null && !facts.cursor().isBefore(from)) {
                    slot.position = new TopicPosition(head.epoch(), from);
                    decide(view.topic(), slot, true);
                    goLive(view.topic(), slot, slot.position);
                } else {
                    reset(view.topic(), slot, head, ResetReason.UNKNOWN);
                }
            } else if (facts.floor() != null && from.isBefore(facts.floor())) {
                reset(view.topic(), slot, head, ResetReason.EXPIRED);
            } else {
                slot.position = new TopicPosition(head.epoch(), from);
                decide(view.topic(), slot, true);
                replay(view.topic(), slot, head);
            }
        });
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
            HistoryReader.Page page = read.result();
            // Checked with every page, atomically with its read: a trim between pages must not become a silent gap.
            if (!head.epoch().equals(page.epoch())) {
                reset(topic, slot, head, ResetReason.UNKNOWN);
                return;
            }
            if (page.floor() != null && slot.position.id().isBefore(page.floor())) {
                reset(topic, slot, head, ResetReason.EXPIRED);
                return;
            }
            for (EncodedEvent event : page.events()) {
                if (closed) {
                    return;
                }
                slot.position = event.position();
                emit(event);
            }
            if (closed) {
                return;
            }
            boolean more = page.full() && slot.position.id().isBefore(head.id());
            if (more && wantsMoreReplay()) {
                replay(topic, slot, head);
                return;
            }
            slot.truncated = more;
            goLive(topic, slot, slot.position);
        });
    }

    private void reset(String topic, Slot slot, TopicPosition head, ResetReason reason) {
        slot.position = head;
        decide(topic, slot, false);
        emitReset(topic, reason);
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
            onPrepared();
        }
    }

    @Override
    public void onEvents(String topic, List<EncodedEvent> events) {
        Slot slot = slots.get(topic);
        if (closed || slot == null) {
            return;
        }
        if (!slot.live) {
            if (slot.pending.size() + events.size() > maxPending) {
                overflow();
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
        if (events.size() > 1 && events instanceof EventBatch batch && emitsWholeBatches()
                && isNewer(slot.position, batch.get(0))) {
            // A batch is in stream order within one epoch: after its first event, every later one is newer too.
            slot.position = batch.last().position();
            emitBatch(batch);
            return;
        }
        for (EncodedEvent event : events) {
            if (closed) {
                return;
            }
            if (isNewer(slot.position, event)) {
                slot.position = event.position();
                emit(event);
            }
        }
    }

    /** Redis failed while preparing: the client is told to come back (to any pod); the cause is for operators. */
    private void preparationFailed(Throwable cause) {
        LOG.debugf("stream preparation failed, the client is told to reconnect: %s", cause);
        failed(cause);
    }

    /** Only this history's later events: events of another epoch are leftovers of a replaced history. */
    private static boolean isNewer(TopicPosition at, EncodedEvent event) {
        return at.epoch() == null || at.epoch().equals(event.position().epoch()) && at.id().isBefore(event.id());
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
        emitReset(view.topic(), ResetReason.UNKNOWN);
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
        future.onComplete(result -> {
            if (((ContextInternal) context).nettyEventLoop().inEventLoop()) {
                handler.handle(result);
            } else {
                context.runOnContext(v -> handler.handle(result));
            }
        });
    }

    /** Whether a replay may read another page (long polls answer with what they have). */
    protected boolean wantsMoreReplay() {
        return true;
    }

    /**
     * Whether {@code topic} resumes exactly where the client asked ({@code recovered}), called once per topic before
     * any of its events or its reset; {@link #position(String)} is then where delivery starts after.
     */
    protected void onDecided(String topic, boolean recovered) {
    }

    private void decide(String topic, Slot slot, boolean recovered) {
        if (!slot.decided) {
            slot.decided = true;
            onDecided(topic, recovered);
        }
    }

    /** The position delivered so far in {@code topic}. */
    protected TopicPosition position(String topic) {
        return slots.get(topic).position;
    }

    /** The hub accepted the session; nothing was emitted yet. */
    protected void onJoined() {
    }

    /** Every topic is live; called once. */
    protected void onPrepared() {
    }

    /** Delivers one event; the session's cursor already includes it. */
    protected abstract void emit(EncodedEvent event);

    /** Whether {@link #emitBatch} takes a live batch whole (instead of {@link #emit} per event). */
    protected boolean emitsWholeBatches() {
        return false;
    }

    /** Delivers a whole live batch; the session's cursor already includes its last event. */
    protected void emitBatch(EventBatch batch) {
        throw new UnsupportedOperationException("emitsWholeBatches() is false");
    }

    /** Tells the client that {@code topic} cannot be resumed and continues live; the cursor already moved. */
    protected abstract void emitReset(String topic, ResetReason reason);

    /** Too many live events queued during a replay: the client is too slow; close it. */
    protected abstract void overflow();

    /** Redis failed while preparing; close with a retryable signal. */
    protected abstract void failed(Throwable cause);
}
