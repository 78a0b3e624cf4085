package dev.quiver.contract.event;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.quiver.contract.problem.ProblemException;
import dev.quiver.contract.problem.ProblemType;

/**
 * Strict JSON reading and exact writing for event payloads. Separate from the application's ObjectMapper on purpose:
 * duplicate member names are an error here (two parsers could disagree on which one wins), and a value is written
 * back exactly as the producer sent it, white space between tokens aside ({@code 1.10} stays {@code 1.10},
 * {@code 1e5} stays {@code 1e5}, {@code -0} stays {@code -0}, strings keep their escapes). Numbers are never
 * converted, so no number, however large its exponent, can fail a parse.
 */
public final class EventJson {

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final ObjectMapper WRITER = new ObjectMapper(FACTORY);

    private EventJson() {
    }

    /**
     * Parses a request body. Malformed JSON, invalid UTF-8, duplicate members, trailing garbage, excessive nesting and
     * an empty body all fail with {@link ProblemType#MALFORMED_JSON}.
     */
    public static JsonNode read(byte[] body) {
        if (body == null || body.length == 0) {
            throw new ProblemException(ProblemType.MALFORMED_JSON, "The request body is empty");
        }
        return read(strictUtf8(body));
    }

    /** Parses JSON text that is already decoded (a WebSocket text frame), with the rules of {@link #read(byte[])}. */
    public static JsonNode read(String text) {
        if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
            throw new ProblemException(ProblemType.MALFORMED_JSON, "The body starts with a byte-order mark");
        }
        try (JsonParser parser = FACTORY.createParser(text)) {
            JsonNode node = SourcedTree.read(parser, text);
            if (node == null) {
                throw new ProblemException(ProblemType.MALFORMED_JSON, "The request body holds no JSON value");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new ProblemException(ProblemType.MALFORMED_JSON, describe(e));
        } catch (IOException e) {
            throw new ProblemException(ProblemType.MALFORMED_JSON, "The request body cannot be read as JSON");
        }
    }

    /**
     * Decodes UTF-8 strictly. Jackson would otherwise detect UTF-16 or UTF-32 and skip a byte-order mark, accepting
     * bodies the API says it refuses.
     */
    private static String strictUtf8(byte[] body) {
        if (body.length >= 3 && (body[0] & 0xff) == 0xEF && (body[1] & 0xff) == 0xBB && (body[2] & 0xff) == 0xBF) {
            throw new ProblemException(ProblemType.MALFORMED_JSON, "The body starts with a byte-order mark");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw new ProblemException(ProblemType.MALFORMED_JSON, "The body is not valid UTF-8");
        }
    }

    /**
     * The compact JSON text of a value: for a value {@link #read} returned, exactly its source without the white space
     * between tokens; for any other tree, Jackson's rendering. Fails with {@link ProblemType#INVALID_EVENT} when a
     * string holds an unpaired UTF-16 surrogate (legal as a JSON escape, but it cannot be stored as UTF-8 without
     * silently changing it).
     */
    public static String compact(JsonNode value, String field) {
        String text;
        if (value instanceof SourcedTree.Sourced sourced) {
            text = SourcedTree.minified(sourced.text(), sourced.start());
        } else {
            try {
                text = WRITER.writeValueAsString(value);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a parsed JSON tree must be writable", e);
            }
        }
        // An escaped lone surrogate (\ud800) is valid JSON text: only the decoded strings show it.
        if (!isWellFormedUtf16(text) || (text.contains("\\u") && hasUnpairedSurrogate(value))) {
            throw new ProblemException(ProblemType.INVALID_EVENT,
                    field + " contains an unpaired surrogate (\\ud800-\\udfff)")
                    .with("field", field);
        }
        return text;
    }

    private static boolean hasUnpairedSurrogate(JsonNode root) {
        ArrayDeque<JsonNode> pending = new ArrayDeque<>();
        pending.push(root);
        while (!pending.isEmpty()) {
            JsonNode node = pending.pop();
            if (node.isTextual() && !isWellFormedUtf16(node.textValue())) {
                return true;
            }
            if (node.isObject()) {
                for (Map.Entry<String, JsonNode> member : node.properties()) {
                    if (!isWellFormedUtf16(member.getKey())) {
                        return true;
                    }
                    pending.push(member.getValue());
                }
            } else if (node.isArray()) {
                node.forEach(pending::push);
            }
        }
        return false;
    }

    /** Whether every surrogate in {@code text} is part of a pair. */
    public static boolean isWellFormedUtf16(CharSequence text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 == text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static String describe(JsonProcessingException e) {
        String message = e.getOriginalMessage();
        // Jackson quotes the offending input; cut it so a hostile body is not echoed back at length.
        if (message != null && message.length() > 200) {
            message = message.substring(0, 200) + "...";
        }
        if (e.getLocation() != null) {
            return "Invalid JSON at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr()
                    + ": " + message;
        }
        return "Invalid JSON: " + message;
    }
}
