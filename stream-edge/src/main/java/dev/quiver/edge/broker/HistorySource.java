package dev.quiver.edge.broker;

import java.util.List;

import io.vertx.core.Future;

import dev.quiver.contract.cursor.TopicPosition;
import dev.quiver.contract.redis.StreamId;
import dev.quiver.contract.redis.TopicMeta;
import dev.quiver.edge.event.EncodedEvent;

/**
 * A topic's past, for one subscriber catching up: the facts that decide whether its cursor can be honoured, and the
 * events it missed. Unlike live reading, this cost is per catching-up connection; a connection already at the head of
 * its topics costs none of it.
 */
public interface HistorySource {

    /**
     * A page of history with the facts it was read under, which come from the same atomic read as the events, so a
     * trim can never fall unnoticed between a retention check and the read.
     *
     * @param meta the topic's facts at the read
     * @param events the events read, at most the count asked for and none after the bound
     * @param full whether the read returned as many entries as asked (more may follow)
     */
    record Page(TopicMeta meta, List<EncodedEvent> events, boolean full) {
    }

    /**
     * The facts that decide whether a cursor can be honoured, read after the topic's live delivery reached {@code head}
     * (callers with the same head may share one read).
     */
    Future<TopicMeta> meta(String topic, TopicPosition head);

    /** Up to {@code count} events of {@code topic} after {@code after} and not after {@code upTo}. */
    Future<Page> range(String topic, StreamId after, StreamId upTo, int count);
}
