package dev.quiver.contract.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.quiver.contract.problem.ProblemException;
import dev.quiver.contract.problem.ProblemType;

class EventValidatorTest {

    private static EventDraft validate(String json) {
        return EventValidator.validate("t", EventJson.read(json.getBytes(StandardCharsets.UTF_8)), "", Set.of());
    }

    @Test
    void keyedEventsDefaultToUpsertAndKeepDataExactly() {
        EventDraft draft = validate(
                "{\"type\":\"x\",\"key\":\"k/é 1\",\"data\":{\"price\":1.10,\"big\":123456789012345678901234567890}}");
        assertThat(draft.op()).isEqualTo(EventOp.UPSERT);
        assertThat(draft.key()).isEqualTo("k/é 1");
        assertThat(draft.data()).isEqualTo("{\"price\":1.10,\"big\":123456789012345678901234567890}");
    }

    @Test
    void historyOnlyEventsHaveNoOp() {
        EventDraft draft = validate("{\"type\":\"x\",\"data\":null}");
        assertThat(draft.key()).isNull();
        assertThat(draft.op()).isNull();
        assertThat(draft.data()).isEqualTo("null");
    }

    @Test
    void deleteMayOmitData() {
        EventDraft draft = validate("{\"type\":\"x\",\"key\":\"k\",\"op\":\"delete\"}");
        assertThat(draft.op()).isEqualTo(EventOp.DELETE);
        assertThat(draft.data()).isEqualTo("null");
    }

    @Test
    void fingerprintCoversEveryPart() {
        EventDraft a = new EventDraft("t", "x", "k", EventOp.UPSERT, "1");
        assertThat(a.fingerprint()).isEqualTo(new EventDraft("t", "x", "k", EventOp.UPSERT, "1").fingerprint());
        assertThat(a.fingerprint()).isNotEqualTo(new EventDraft("t2", "x", "k", EventOp.UPSERT, "1").fingerprint())
                .isNotEqualTo(new EventDraft("t", "x", "k", EventOp.DELETE, "1").fingerprint())
                .isNotEqualTo(new EventDraft("t", "x", "k", EventOp.UPSERT, "2").fingerprint())
                .isNotEqualTo(new EventDraft("t", "xk", "", EventOp.UPSERT, "1").fingerprint());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "[]|/",
            "{\"data\":1}|/type",
            "{\"type\":\"\",\"data\":1}|/type",
            "{\"type\":7,\"data\":1}|/type",
            "{\"type\":\"a\\nb\",\"data\":1}|/type",
            "{\"type\":\"x\"}|/data",
            "{\"type\":\"x\",\"key\":5,\"data\":1}|/key",
            "{\"type\":\"x\",\"key\":\"\",\"data\":1}|/key",
            "{\"type\":\"x\",\"key\":\"a\\u0000\",\"data\":1}|/key",
            "{\"type\":\"x\",\"op\":\"delete\",\"data\":1}|/op",
            "{\"type\":\"x\",\"key\":\"k\",\"op\":\"merge\",\"data\":1}|/op",
            "{\"type\":\"x\",\"data\":1,\"topic\":\"t\"}|/topic",
            "{\"type\":\"x\",\"data\":1,\"a/b\":1}|/a~1b",
            "{\"type\":\"x\",\"data\":\"\\ud800\"}|/data",
            "{\"type\":\"x\\ud800\",\"data\":1}|/type",
    })
    void rejectsWithTheOffendingField(String json, String field) {
        assertThatThrownBy(() -> validate(json))
                .isInstanceOfSatisfying(ProblemException.class, e -> {
                    assertThat(e.type()).isEqualTo(ProblemType.INVALID_EVENT);
                    assertThat(e.extensions()).containsEntry("field", field);
                });
    }

    @Test
    void lengthsCountCodePoints() {
        String emoji = "\uD83D\uDE00";
        assertThat(validate("{\"type\":\"" + emoji.repeat(128) + "\",\"data\":1}").type()).hasSize(256);
        assertThatThrownBy(() -> validate("{\"type\":\"" + "x".repeat(129) + "\",\"data\":1}"))
                .isInstanceOf(ProblemException.class);
        assertThat(validate("{\"type\":\"x\",\"key\":\"" + "k".repeat(256) + "\",\"data\":1}").key()).hasSize(256);
        assertThatThrownBy(() -> validate("{\"type\":\"x\",\"key\":\"" + "k".repeat(257) + "\",\"data\":1}"))
                .isInstanceOf(ProblemException.class);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "''",
            "{",
            "{\"type\":\"x\",\"type\":\"y\",\"data\":1}",
            "{\"type\":\"x\",\"data\":1} trailing",
            "nul",
    })
    void malformedJsonIsItsOwnProblem(String json) {
        assertThatThrownBy(() -> validate(json))
                .isInstanceOfSatisfying(ProblemException.class,
                        e -> assertThat(e.type()).isEqualTo(ProblemType.MALFORMED_JSON));
    }

    @Test
    void invalidUtf8IsMalformed() {
        byte[] body = {'{', '"', 't', 'y', 'p', 'e', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        assertThatThrownBy(() -> EventJson.read(body))
                .isInstanceOfSatisfying(ProblemException.class,
                        e -> assertThat(e.type()).isEqualTo(ProblemType.MALFORMED_JSON));
    }

    @Test
    void absurdNestingIsMalformedNotAStackOverflow() {
        String deep = "[".repeat(5000) + "]".repeat(5000);
        assertThatThrownBy(() -> validate("{\"type\":\"x\",\"data\":" + deep + "}"))
                .isInstanceOfSatisfying(ProblemException.class,
                        e -> assertThat(e.type()).isEqualTo(ProblemType.MALFORMED_JSON));
    }

    @Test
    void onlyUtf8IsAccepted() {
        byte[] utf16 = "{\"type\":\"x\",\"data\":1}".getBytes(StandardCharsets.UTF_16LE);
        byte[] bom = ("\uFEFF{\"type\":\"x\",\"data\":1}").getBytes(StandardCharsets.UTF_8);
        for (byte[] body : new byte[][]{utf16, bom}) {
            assertThatThrownBy(() -> EventJson.read(body))
                    .isInstanceOfSatisfying(ProblemException.class,
                            e -> assertThat(e.type()).isEqualTo(ProblemType.MALFORMED_JSON));
        }
    }
}
