package dev.quiver.edge.event;

import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;

import io.vertx.core.buffer.Buffer;

/**
 * The events of one topic returned by one live read, in stream order, as handed to every local subscriber.
 * <p>
 * Under load the reader returns several events at once, and a single-topic SSE connection then writes the whole batch
 * as ONE write: the per-write cost (an HTTP chunk, promises, a syscall) is paid per batch instead of per event, so a
 * pod that falls behind catches up instead of falling further behind. The concatenated frames are built once per pod,
 * on first use, and shared by every such connection.
 */
public final class EventBatch extends AbstractList<EncodedEvent> implements RandomAccess {

    private final List<EncodedEvent> events;
    /** Racy but benign: every event loop that builds it builds the same bytes. */
    private volatile Buffer sseSingleTopicFrames;

    public EventBatch(List<EncodedEvent> events) {
        if (events.isEmpty()) {
            throw new IllegalArgumentException("an empty batch");
        }
        this.events = List.copyOf(events);
    }

    @Override
    public EncodedEvent get(int index) {
        return events.get(index);
    }

    @Override
    public int size() {
        return events.size();
    }

    public EncodedEvent last() {
        return events.get(events.size() - 1);
    }

    /** Every event's {@link EncodedEvent#sseSingleTopicFrame()}, concatenated. */
    public Buffer sseSingleTopicFrames() {
        Buffer frames = sseSingleTopicFrames;
        if (frames == null) {
            if (events.size() == 1) {
                frames = events.get(0).sseSingleTopicFrame();
            } else {
                int length = 0;
                for (EncodedEvent event : events) {
                    length += event.sseSingleTopicFrame().length();
                }
                frames = Buffer.buffer(length);
                for (EncodedEvent event : events) {
                    frames.appendBuffer(event.sseSingleTopicFrame());
                }
            }
            sseSingleTopicFrames = frames;
        }
        return frames;
    }
}
