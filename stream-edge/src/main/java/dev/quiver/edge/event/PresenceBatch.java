package dev.quiver.edge.event;

import java.util.ArrayList;
import java.util.List;

import io.vertx.core.buffer.Buffer;

import dev.quiver.contract.redis.PresenceLayout;

/** The joins and leaves of one topic that one message brought, in order; the SSE form of all of them built once. */
public final class PresenceBatch {

    private final List<PresenceEvent> events;
    private Buffer sse;

    private PresenceBatch(List<PresenceEvent> events) {
        this.events = events;
    }

    public static PresenceBatch of(String topic, List<PresenceLayout.Change> changes) {
        List<PresenceEvent> events = new ArrayList<>(changes.size());
        for (PresenceLayout.Change change : changes) {
            events.add(new PresenceEvent(topic, change));
        }
        return new PresenceBatch(List.copyOf(events));
    }

    public List<PresenceEvent> events() {
        return events;
    }

    /** Every event's SSE frame, one buffer for every SSE connection that takes them. */
    public synchronized Buffer sse() {
        if (sse == null) {
            StringBuilder frames = new StringBuilder();
            events.forEach(event -> frames.append(event.sse()));
            sse = Buffer.buffer(frames.toString());
        }
        return sse;
    }
}
