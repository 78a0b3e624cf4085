package dev.quiver.edge.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;

import org.junit.jupiter.api.Test;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

import dev.quiver.contract.event.EventJson;
import dev.quiver.contract.problem.ProblemException;
import dev.quiver.contract.problem.ProblemType;
import dev.quiver.testkit.Fuzz;
import dev.quiver.testkit.FuzzValues;

class MessagePackJsonTest {

    interface Packing {

        void pack(MessageBufferPacker packer) throws IOException;
    }

    private static byte[] msgpack(Packing packing) throws IOException {
        try (MessageBufferPacker packer = MessagePack.newDefaultBufferPacker()) {
            packing.pack(packer);
            return packer.toByteArray();
        }
    }

    @Test
    void scalarsMapToTheirJsonForms() throws IOException {
        assertThat(MessagePackJson.toJson(msgpack(p -> p.packArrayHeader(6).packDouble(1.1).packFloat(0.1f)
                .packLong(Long.MIN_VALUE).packDouble(1e300).packNil().packBoolean(false))))
                .isEqualTo("[1.1,0.1,-9223372036854775808,1.0E300,null,false]");
    }

    @Test
    void valuesWithoutJsonFormAreMalformed() {
        for (Packing bad : new Packing[]{p -> p.packDouble(Double.NaN), p -> p.packFloat(Float.NEGATIVE_INFINITY),
                p -> p.packBinaryHeader(0), p -> p.packMapHeader(1).packInt(1).packInt(2),
                p -> p.packExtensionTypeHeader((byte) 1, 1).writePayload(new byte[]{1}), p -> p.packArrayHeader(3),
                p -> p.packNil().packNil(), p -> p.packMapHeader(1).packString("data").packDouble(Double.NaN),
                p -> p.packArrayHeader(2).packInt(1).packBinaryHeader(0)}) {
            assertThatThrownBy(() -> MessagePackJson.toJson(msgpack(bad)))
                    .isInstanceOfSatisfying(ProblemException.class,
                            e -> assertThat(e.type()).isEqualTo(ProblemType.MALFORMED_JSON));
        }
        assertThatThrownBy(() -> MessagePackJson.toJson(new byte[0])).isInstanceOf(ProblemException.class);
    }

    @Test
    void jsonThroughMessagePackAndBackKeepsEveryValue() {
        // JSON -> MessagePack (as a subscriber gets it) -> JSON (as a publisher would send it back) -> MessagePack:
        // the two MessagePack forms are equal, so MessagePack publish round-trips what JSON expresses.
        Fuzz.check("msgpack round trip", 2000, random -> FuzzValues.json(random, 4), json -> {
            byte[] once = MessagePackJson.toMessagePack(EventJson.read(json.text()));
            String back;
            try {
                back = MessagePackJson.toJson(once);
            } catch (ProblemException e) {
                // Only numbers beyond float64 have no way back (they became infinities).
                assertThat(e.getMessage()).contains("infinite");
                return;
            }
            assertThat(MessagePackJson.toMessagePack(EventJson.read(back))).isEqualTo(once);
        });
    }
}
