package dev.quiver.contract.redis;

/** An idempotency key was reused with a different event inside the dedup window. Nothing was written. */
public class IdempotencyConflictException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int index;

    public IdempotencyConflictException(int index) {
        super("idempotency key reused for a different event", null, false, false);
        this.index = index;
    }

    /** Zero-based position, in the append call, of the event whose key conflicts. */
    public int index() {
        return index;
    }
}
