package dev.quiver.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.BitSet;

import org.junit.jupiter.api.Test;

class DeliveryTest {

    @Test
    void countsLossDuplicatesAndOrder() {
        Delivery delivery = new Delivery();
        long[] seqs = {0, 1, 3, 2, 3, 5};
        long[] ids = {10, 11, 13, 12, 13, 15};
        for (int i = 0; i < seqs.length; i++) {
            delivery.accept(seqs[i], ids[i]);
        }
        BitSet acknowledged = new BitSet();
        acknowledged.set(0, 7);
        assertThat(delivery.received()).isEqualTo(5);
        assertThat(delivery.duplicates()).isEqualTo(1);
        assertThat(delivery.outOfOrder()).isEqualTo(1);
        assertThat(delivery.missing(acknowledged)).isEqualTo(2); // 4 and 6
    }

    @Test
    void readsNumbersFromAnSseDataLine() {
        String line = "data: {\"topic\":\"b\",\"id\":\"1-0\",\"type\":\"bench\",\"data\":{\"seq\":42,\"sent\":1700000000123456}}";
        assertThat(EventFields.number(line, "seq")).isEqualTo(42);
        assertThat(EventFields.number(line, "sent")).isEqualTo(1700000000123456L);
        assertThat(EventFields.number(line, "absent")).isEqualTo(-1);
        assertThat(EventFields.streamId(line)).isEqualTo((1L << 20));
        assertThat(EventFields.streamId("data: {\"id\":\"2-3\"}")).isGreaterThan(EventFields.streamId(line));
    }
}
