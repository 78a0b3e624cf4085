package dev.quiver.contract.event;

import java.util.Iterator;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;

import dev.quiver.contract.problem.ProblemException;
import dev.quiver.contract.problem.ProblemType;

/**
 * The event schema, in one place for every writer: {@code {"type", "key"?, "op"?, "data"}}. Errors name the offending
 * member as a JSON pointer in the problem's {@code field} member.
 */
public final class EventValidator {

    /** Longest {@code type}, in Unicode code points. */
    public static final int MAX_TYPE_LENGTH = 128;
    /** Longest {@code key}, in Unicode code points. */
    public static final int MAX_KEY_LENGTH = 256;

    private static final Set<String> MEMBERS = Set.of("type", "key", "op", "data");

    private EventValidator() {
    }

    /**
     * Validates a plain JSON event.
     *
     * @param topic the topic it goes to, already valid
     * @param event the parsed event object
     * @param pointer JSON pointer of {@code event} within the request ({@code ""} for the whole body)
     * @param alsoAllowed members the caller handles itself (for example {@code topic} in a batch item)
     */
    public static EventDraft validate(String topic, JsonNode event, String pointer, Set<String> alsoAllowed) {
        if (event == null || !event.isObject()) {
            throw invalid(pointer.isEmpty() ? "The event must be a JSON object" : "Each event must be a JSON object",
                    pointer);
        }
        for (Iterator<String> names = event.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!MEMBERS.contains(name) && !alsoAllowed.contains(name)) {
                throw invalid("Unknown member '" + abbreviate(name) + "' (allowed: type, key, op, data)",
                        pointer + "/" + escapePointer(name));
            }
        }
        String type = requiredText(event, "type", pointer);
        checkText(type, "type", MAX_TYPE_LENGTH, pointer);

        String key = null;
        JsonNode keyNode = event.get("key");
        if (keyNode != null && !keyNode.isNull()) {
            if (!keyNode.isTextual()) {
                throw invalid("key must be a string", pointer + "/key");
            }
            key = keyNode.textValue();
            checkText(key, "key", MAX_KEY_LENGTH, pointer);
        }

        EventOp op = null;
        JsonNode opNode = event.get("op");
        if (opNode != null && !opNode.isNull()) {
            op = opNode.isTextual() ? EventOp.fromWire(opNode.textValue()) : null;
            if (op == null) {
                throw invalid("op must be \"upsert\" or \"delete\"", pointer + "/op");
            }
            if (key == null) {
                throw invalid("op needs a key: only keyed events change the topic state", pointer + "/op");
            }
        } else if (key != null) {
            op = EventOp.UPSERT;
        }

        JsonNode data = event.get("data");
        if (data == null) {
            if (op != EventOp.DELETE) {
                throw invalid("data is required (it may be null)", pointer + "/data");
            }
            data = NullNode.getInstance();
        }
        return new EventDraft(topic, type, key, op, EventJson.compact(data, pointer + "/data"));
    }

    /**
     * Checks a type or key: non-empty, at most {@code max} code points, no control characters (they have no business
     * in identifiers and would be a hazard in logs and text protocols), no unpaired surrogates.
     */
    public static void checkText(String value, String name, int max, String pointer) {
        if (value.isEmpty()) {
            throw invalid(name + " must not be empty", pointer + "/" + name);
        }
        if (!EventJson.isWellFormedUtf16(value)) {
            throw invalid(name + " contains an unpaired surrogate", pointer + "/" + name);
        }
        if (value.codePointCount(0, value.length()) > max) {
            throw invalid(name + " must be at most " + max + " characters", pointer + "/" + name);
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || (c >= 0x7f && c < 0xa0)) {
                throw invalid(name + " must not contain control characters", pointer + "/" + name);
            }
        }
    }

    private static String requiredText(JsonNode event, String name, String pointer) {
        JsonNode node = event.get(name);
        if (node == null || node.isNull()) {
            throw invalid(name + " is required", pointer + "/" + name);
        }
        if (!node.isTextual()) {
            throw invalid(name + " must be a string", pointer + "/" + name);
        }
        return node.textValue();
    }

    /** An {@link ProblemType#INVALID_EVENT} problem naming {@code field}. */
    public static ProblemException invalid(String detail, String field) {
        return new ProblemException(ProblemType.INVALID_EVENT, detail).with("field", field.isEmpty() ? "/" : field);
    }

    /** RFC 6901 escaping of one reference token. */
    public static String escapePointer(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    private static String abbreviate(String text) {
        return text.length() > 64 ? text.substring(0, 64) + "..." : text;
    }
}
