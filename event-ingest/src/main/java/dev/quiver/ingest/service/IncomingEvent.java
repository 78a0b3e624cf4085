package dev.quiver.ingest.service;

import dev.quiver.contract.event.EventDraft;

/**
 * A validated event of a request, with the idempotency key that applies to it.
 *
 * @param draft the event
 * @param idempotencyKey the scoped key (see {@link IdempotencyKeys}), or {@code null}
 */
public record IncomingEvent(EventDraft draft, String idempotencyKey) {
}
