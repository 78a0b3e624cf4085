package dev.quiver.contract.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.quiver.contract.problem.ProblemException;
import dev.quiver.contract.problem.ProblemType;
import dev.quiver.testkit.Fuzz;
import dev.quiver.testkit.FuzzValues;

/** The data of an event is kept as the producer wrote it (#15): read, then compact, gives back the same text. */
class EventJsonTest {

    private static String roundTrip(String json) {
        return EventJson.compact(EventJson.read(json.getBytes(StandardCharsets.UTF_8)), "/data");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "[1.10,1e5,1E400,-1e-400,100000000000000000000000000000000000001.5]",
            "[1.10,1e5,1.5E-3,-0,2.50e0]",
            "1e2147483648", "1e-2147483649", "0e2147483648", "1e99999999999999999999", "-0", "-0.0", "0.000",
            "[\"\\u00e9\\/\\n\\\"\",\"é\",\"\\ud83d\\ude00\"]",
            "{\"a\":{\"b\":[true,false,null,{}]},\"c\":[]}",
            "\"\"", "null", "true", "{}", "[]"})
    void valuesComeBackExactly(String json) {
        assertThat(roundTrip(json)).isEqualTo(json);
    }

    @Test
    void onlyWhiteSpaceBetweenTokensGoes() {
        assertThat(roundTrip(" [ 1 ,\t2 ]\n")).isEqualTo("[1,2]");
        assertThat(roundTrip("{\r\n \"a\" : \"b c\" , \"d\" : [ ] }")).isEqualTo("{\"a\":\"b c\",\"d\":[]}");
        assertThat(roundTrip("  1e5  ")).isEqualTo("1e5");
    }

    @Test
    void largeBodiesKeepEveryNumberAcrossTheParsersBufferBoundaries() {
        StringBuilder sent = new StringBuilder("{\"type\":\"t\", \"data\": [");
        StringBuilder stored = new StringBuilder("[");
        for (int i = 0; i < 40_000; i++) {
            String number = "-" + i + ".10" + (i % 7) + "E-" + (i % 400);
            sent.append(i == 0 ? "" : " , ").append(number);
            stored.append(i == 0 ? "" : ",").append(number);
        }
        sent.append(" ] }");
        stored.append(']');
        EventDraft draft = EventValidator.validate("t",
                EventJson.read(sent.toString().getBytes(StandardCharsets.UTF_8)),
                "", Set.of());
        assertThat(draft.data()).isEqualTo(stored.toString());
    }

    @Test
    void anyJsonValueComesBackAsSentLessWhiteSpace() {
        Fuzz.check("json round trip", 3000, random -> FuzzValues.json(random, 5),
                json -> assertThat(roundTrip(json.text())).isEqualTo(json.compact()));
    }

    @Test
    void corruptedJsonIsMalformedOrValidNeverAnythingElse() {
        Fuzz.check("corrupted json", 3000, random -> FuzzValues.corrupt(random, FuzzValues.json(random, 4).text()),
                text -> {
                    try {
                        String stored = roundTrip(text);
                        assertThat(stored).doesNotContain("\n", "\r");
                    } catch (ProblemException e) {
                        assertThat(e.type()).isIn(ProblemType.MALFORMED_JSON, ProblemType.INVALID_EVENT);
                    }
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"a\":1,\"a\":2}", "[1] 2", "[1,]", "{\"a\":1e}", "", "NaN", "[01]", "'a'"})
    void invalidJsonIsMalformed(String json) {
        assertThatThrownBy(() -> EventJson.read(json.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(ProblemException.class,
                        e -> assertThat(e.type()).isEqualTo(ProblemType.MALFORMED_JSON));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"\\ud800\"", "{\"\\udc00\":1}", "[\"a\\ud83dz\"]"})
    void unpairedSurrogatesAreRefused(String json) {
        assertThatThrownBy(() -> roundTrip(json))
                .isInstanceOfSatisfying(ProblemException.class,
                        e -> assertThat(e.type()).isEqualTo(ProblemType.INVALID_EVENT));
    }
}
