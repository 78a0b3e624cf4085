package dev.quiver.contract.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The live channel's message format: netstrings, so any data (commas, colons, new lines, any script) is safe. */
class LiveMessageTest {

    private static LiveMessage decode(String text) {
        return LiveMessage.decode(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void decodesTheFirstEntryOfAHistory() {
        LiveMessage message = decode("2:q1,8:abcdefgh,5:100-0,0:,4:type,1:t,4:data,4:null,");
        assertThat(message.epoch()).isEqualTo("abcdefgh");
        assertThat(message.id()).isEqualTo(new StreamId(100, 0));
        assertThat(message.previous()).isNull();
        assertThat(message.entry().fields()).containsExactly("type", "t", "data", "null");
    }

    @Test
    void lengthsCountBytesSoDataMayHoldAnything() {
        String data = "\"é,3:x,\\n:\"";
        int bytes = data.getBytes(StandardCharsets.UTF_8).length;
        LiveMessage message = decode(
                "2:q1,1:e,5:101-1,5:100-0,4:type,1:t,3:key,2:k1,2:op,6:upsert,4:data," + bytes + ":"
                        + data + ",");
        assertThat(message.previous()).isEqualTo(new StreamId(100, 0));
        assertThat(message.entry().fields()).containsExactly("type", "t", "key", "k1", "op", "upsert", "data", data);
    }

    @Test
    void refusesWhatTheScriptNeverSends() {
        for (String bad : List.of("", "2:q2,1:e,3:1-0,0:,", "2:q1,1:e,3:1-0,0:,4:type,",
                "2:q1,1:e,3:1-0,0:,4:type,9:t,",
                "2:q1,1:e,3:1-0,0:,4:type,1:t", "x:q1,", "2:q1,1:e,1:1,0:,")) {
            assertThatThrownBy(() -> decode(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
