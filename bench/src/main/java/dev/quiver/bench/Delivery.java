package dev.quiver.bench;

import java.util.BitSet;

/**
 * What one subscriber received of one topic, checked against the publisher's per-topic sequence numbers: every
 * acknowledged event exactly once, in order. Written by the subscriber's event loop, read by the reporting thread.
 */
final class Delivery {

    private final BitSet seen = new BitSet();
    private long lastId = -1;
    private long received;
    private long duplicates;
    private long outOfOrder;

    /**
     * One event carrying publisher sequence {@code seq} (loss and duplicates) and stream id {@code id} (order: the
     * stored order, which concurrent publishes may make differ from the sequence).
     */
    synchronized void accept(long seq, long id) {
        int index = Math.toIntExact(seq);
        if (seen.get(index)) {
            duplicates++;
            return;
        }
        seen.set(index);
        received++;
        if (id < lastId) {
            outOfOrder++;
        } else {
            lastId = id;
        }
    }

    /** Acknowledged events this subscriber never got. */
    synchronized long missing(BitSet acknowledged) {
        BitSet lost = (BitSet) acknowledged.clone();
        lost.andNot(seen);
        return lost.cardinality();
    }

    synchronized long received() {
        return received;
    }

    synchronized long duplicates() {
        return duplicates;
    }

    synchronized long outOfOrder() {
        return outOfOrder;
    }
}
