package dev.quiver.contract.redis;

/**
 * What appending one topic's events came to: its result, or why nothing (or, after a timeout, perhaps something) of
 * it was acknowledged.
 *
 * @param topic the topic
 * @param result what Redis acknowledged, or {@code null} on failure
 * @param failure an {@link IdempotencyConflictException} (nothing of the topic written), a 503
 *        {@link dev.quiver.contract.problem.ProblemException}, or an internal error; {@code null} on success
 */
public record TopicOutcome(String topic, AppendResult result, Throwable failure) {

    /** The result, or the failure thrown as it is. */
    public AppendResult resultOrThrow() {
        if (failure == null) {
            return result;
        }
        if (failure instanceof RuntimeException runtime) {
            throw runtime;
        }
        throw new IllegalStateException(failure);
    }
}
