package dev.quiver.contract.redis;

import dev.quiver.contract.event.EventDraft;

/**
 * One event to append, with the idempotency key that deduplicates it.
 *
 * @param draft the validated event
 * @param idempotencyKey the client's key, already scoped to the request form (see docs/ingest.md), or {@code null}
 * @param traceparent the publish's W3C traceparent, stored with the event and shown to subscribers, or {@code null}
 */
public record AppendRequest(EventDraft draft, String idempotencyKey, String traceparent) {

    /** An event published outside any trace. */
    public AppendRequest(EventDraft draft, String idempotencyKey) {
        this(draft, idempotencyKey, null);
    }
}
