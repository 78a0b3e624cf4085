package dev.quiver.contract.redis;

import java.util.List;

/**
 * What Redis acknowledged for one topic.
 *
 * @param epoch the topic's history epoch
 * @param ids the stream id of every event, in request order
 * @param replayed for every event, whether it was an idempotent retry that wrote nothing
 */
public record AppendResult(String epoch, List<String> ids, List<Boolean> replayed) {
}
