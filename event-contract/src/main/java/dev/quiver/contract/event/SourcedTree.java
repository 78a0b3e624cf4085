package dev.quiver.contract.event;

import java.io.IOException;
import java.util.ArrayDeque;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.databind.util.RawValue;

/**
 * A Jackson tree that remembers where each value stood in the text it was read from, so a value can be stored exactly
 * as the producer wrote it: numbers keep their digits ({@code 1.10}, {@code 1e5}, {@code -0}, {@code 1E400}), strings
 * keep their escapes, and only insignificant white space goes.
 * <p>
 * Numbers are never converted: they become raw values holding their source text, so no exponent, however large, can
 * make a parse fail or change what is stored. Code that reads the tree sees ordinary nodes ({@code isObject},
 * {@code isTextual}, {@code get}...); a number is a POJO node rather than a numeric one, which no event member needs.
 */
final class SourcedTree {

    private SourcedTree() {
    }

    /** A node read from {@code text}, starting at char {@code start}. */
    interface Sourced {

        String text();

        int start();
    }

    static final class SourcedObject extends ObjectNode implements Sourced {

        private final transient String text;
        private final int start;

        SourcedObject(String text, int start) {
            super(JsonNodeFactory.instance);
            this.text = text;
            this.start = start;
        }

        @Override
        public String text() {
            return text;
        }

        @Override
        public int start() {
            return start;
        }
    }

    static final class SourcedArray extends ArrayNode implements Sourced {

        private final transient String text;
        private final int start;

        SourcedArray(String text, int start) {
            super(JsonNodeFactory.instance);
            this.text = text;
            this.start = start;
        }

        @Override
        public String text() {
            return text;
        }

        @Override
        public int start() {
            return start;
        }
    }

    static final class SourcedText extends TextNode implements Sourced {

        private final transient String text;
        private final int start;

        SourcedText(String value, String text, int start) {
            super(value);
            this.text = text;
            this.start = start;
        }

        @Override
        public String text() {
            return text;
        }

        @Override
        public int start() {
            return start;
        }
    }

    /**
     * Reads one value from {@code parser}, which reads {@code text} and has not started. Iterative, so nesting depth
     * is bounded by the parser's constraints, not by the thread's stack.
     *
     * @return the root, or {@code null} when the text holds no value
     */
    static JsonNode read(JsonParser parser, String text) throws IOException {
        ArrayDeque<ContainerNode<?>> open = new ArrayDeque<>();
        String name = null;
        JsonNode root = null;
        for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
            JsonNode node;
            switch (token) {
                case FIELD_NAME -> {
                    name = parser.currentName();
                    continue;
                }
                case END_OBJECT, END_ARRAY -> {
                    open.pop();
                    if (open.isEmpty()) {
                        return finish(parser, root);
                    }
                    continue;
                }
                case START_OBJECT -> node = new SourcedObject(text, start(parser, text, '{'));
                case START_ARRAY -> node = new SourcedArray(text, start(parser, text, '['));
                case VALUE_STRING -> {
                    int start = start(parser, text, '"');
                    node = new SourcedText(parser.getText(), text, start);
                }
                // getText() of a number token is its text as written: nothing is converted.
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> node = new POJONode(new RawValue(parser.getText()));
                case VALUE_TRUE -> node = BooleanNode.TRUE;
                case VALUE_FALSE -> node = BooleanNode.FALSE;
                case VALUE_NULL -> node = NullNode.getInstance();
                default -> throw new IllegalStateException("unexpected token " + token);
            }
            ContainerNode<?> parent = open.peek();
            if (parent == null) {
                root = node;
            } else if (parent instanceof ObjectNode object) {
                object.set(name, node);
            } else {
                ((ArrayNode) parent).add(node);
            }
            if (node instanceof ContainerNode<?> container) {
                open.push(container);
            } else if (parent == null) {
                return finish(parser, root);
            }
        }
        return root;
    }

    /** The whole text is one value: anything after it is an error (the parser names where). */
    private static JsonNode finish(JsonParser parser, JsonNode root) throws IOException {
        JsonToken trailing = parser.nextToken();
        if (trailing != null) {
            throw new com.fasterxml.jackson.core.JsonParseException(parser,
                    "Trailing token (" + trailing + ") after the JSON value");
        }
        return root;
    }

    /**
     * Where the current token starts. Jackson reports the token's location; it is checked against the text, so a
     * parser that reported it one char late could never make us copy the wrong span.
     */
    private static int start(JsonParser parser, String text, char expected) {
        long offset = parser.currentTokenLocation().getCharOffset();
        int at = (int) offset;
        if (at >= 0 && at < text.length() && text.charAt(at) == expected) {
            return at;
        }
        if (at > 0 && at - 1 < text.length() && text.charAt(at - 1) == expected) {
            return at - 1;
        }
        throw new IllegalStateException("token location " + offset + " does not point at '" + expected + "'");
    }

    /**
     * The JSON text of the value that starts at {@code start}, with the white space between tokens removed (space,
     * tab, CR, LF: the only white space JSON has). The text is known to be valid JSON.
     */
    static String minified(String text, int start) {
        StringBuilder out = new StringBuilder(Math.min(text.length() - start, 256));
        int depth = 0;
        boolean inString = false;
        boolean escaped = false;
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                out.append(c);
                if (escaped) {
                    escaped = false;
                } else if (c == '\\') {
                    escaped = true;
                } else if (c == '"') {
                    inString = false;
                    if (depth == 0) {
                        return out.toString();
                    }
                }
                continue;
            }
            switch (c) {
                case ' ', '\t', '\n', '\r' -> {
                    if (depth == 0 && !out.isEmpty()) {
                        return out.toString();
                    }
                }
                case '"' -> {
                    inString = true;
                    out.append(c);
                }
                case '{', '[' -> {
                    depth++;
                    out.append(c);
                }
                case '}', ']' -> {
                    if (depth == 0) {
                        return out.toString();
                    }
                    out.append(c);
                    if (--depth == 0) {
                        return out.toString();
                    }
                }
                case ',', ':' -> {
                    if (depth == 0) {
                        return out.toString();
                    }
                    out.append(c);
                }
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
