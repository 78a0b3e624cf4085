package dev.quiver.edge.redis;

import java.util.Arrays;

import io.vertx.redis.client.Response;

import dev.quiver.contract.redis.KeySlot;

/**
 * Which Redis Cluster primary serves each hash slot, as {@code CLUSTER SLOTS} reported it: where the live reader
 * subscribes to a topic's channel. A snapshot; it goes stale when slots move or a primary fails over, which the reader
 * learns from a dropped connection, a {@code MOVED} answer or a {@code sunsubscribe} it did not ask for, and then reads
 * a fresh one.
 */
public final class SlotTable {

    private final String[] owners;

    private SlotTable(String[] owners) {
        this.owners = owners;
    }

    /**
     * Reads a {@code CLUSTER SLOTS} reply: ranges {@code [start, end, [host, port, id], replicas...]}. A primary that
     * announces no host (an empty or {@code ?} endpoint) is reached at {@code defaultHost}, the host the reader was
     * configured with.
     */
    public static SlotTable parse(Response reply, String defaultHost) {
        String[] owners = new String[KeySlot.SLOTS];
        for (Response range : reply) {
            int start = range.get(0).toInteger();
            int end = range.get(1).toInteger();
            Response primary = range.get(2);
            String host = primary.get(0) == null ? "" : primary.get(0).toString();
            if (host.isEmpty() || "?".equals(host)) {
                host = defaultHost;
            }
            String node = host + ":" + primary.get(1).toInteger();
            Arrays.fill(owners, start, end + 1, node);
        }
        return new SlotTable(owners);
    }

    /** The primary serving {@code slot} as {@code host:port}, or {@code null} while no primary does. */
    public String ownerOf(int slot) {
        return owners[slot];
    }
}
