package dev.quiver.edge.event;

import io.vertx.core.buffer.Buffer;

import dev.quiver.contract.event.EventJson;
import dev.quiver.contract.redis.PresenceLayout;

/**
 * One join or leave of a topic, as subscribers get it (docs/presence.md). Like an event, each wire form is built once
 * per pod, on first use, and shared by every connection that takes it. A presence event has no id: it never moves a
 * cursor and is not in the topic's history.
 */
public final class PresenceEvent {

    private final String topic;
    private final boolean join;
    private final String member;
    private String wsText;
    private Buffer wsBinary;

    PresenceEvent(String topic, PresenceLayout.Change change) {
        this.topic = topic;
        this.join = change.join();
        this.member = change.member();
    }

    public String topic() {
        return topic;
    }

    /** {@code join} or {@code leave}. */
    public String type() {
        return join ? "join" : "leave";
    }

    /** The member's JSON: {@code sub}, and on a join {@code info} (when it has one) and {@code since}. */
    public String member() {
        return member;
    }

    /** {@code event: join\ndata: {"topic":...,"member":{...}}\n\n}: no id line, so the client's cursor stays. */
    String sse() {
        return "event: " + type() + "\ndata: {\"topic\":\"" + topic + "\",\"member\":" + member + "}\n\n";
    }

    /** The long poll's form: {@code {"type":"join","topic":...,"member":{...}}}. */
    public String pollJson() {
        return "{\"type\":\"" + type() + "\",\"topic\":\"" + topic + "\",\"member\":" + member + "}";
    }

    /** {@code {"op":"join","topic":...,"member":{...}}}, the same for every WebSocket JSON subscriber. */
    public synchronized String wsText() {
        if (wsText == null) {
            wsText = "{\"op\":\"" + type() + "\",\"topic\":\"" + topic + "\",\"member\":" + member + "}";
        }
        return wsText;
    }

    /** The same message as {@link #wsText()} in MessagePack. */
    public synchronized Buffer wsBinary() {
        if (wsBinary == null) {
            wsBinary = Buffer.buffer(MessagePackJson.toMessagePack(EventJson.read(wsText())));
        }
        return wsBinary;
    }

    @Override
    public String toString() {
        return pollJson();
    }
}
