package dev.quiver.testkit;

import java.util.Random;

/**
 * Generators of hostile input for {@link Fuzz}: JSON text with every number form and string escape, random white space,
 * deep and wide nesting; strings with control characters and surrogates; corrupted JSON; query strings with broken
 * percent-escapes. Each value is built from the {@link Random} it is given and nothing else.
 */
public final class FuzzValues {

    private static final String[] EDGE_NUMBERS = {"0", "-0", "-0.0", "0e0", "1.10", "2.50e0", "1e5", "1E400",
            "-1e-400", "1e2147483648", "1e-2147483649", "0e2147483648", "1e99999999999999999999", "1.5E-3",
            "100000000000000000000000000000000000001.5", "18446744073709551615", "18446744073709551616",
            "9223372036854775807", "-9223372036854775809", "4.9e-324", "1.7976931348623157e308", "1E+2", "1e-0"};
    private static final String[] ESCAPES = {"\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t", "\\u0000",
            "\\u001f", "\\u00e9", "\\u2028", "\\ud83d\\ude00", "\\uFFFF", "\\u0041"};
    private static final String[] RAW = {"é", "😀", "\u2028", "\u2029", "中", "\u007f", "\u0085", "<", ">", "&",
            "'", "%", "+", " "};

    private FuzzValues() {
    }

    /**
     * A valid JSON value, as sent and as it must be stored.
     *
     * @param text the value with random insignificant white space, as a producer might send it
     * @param compact the same value without that white space: what Quiver must store and serve
     */
    public record Json(String text, String compact) {

        @Override
        public String toString() {
            return text;
        }
    }

    /** A valid JSON value of at most {@code depth} levels of nesting. */
    public static Json json(Random random, int depth) {
        StringBuilder text = new StringBuilder();
        StringBuilder compact = new StringBuilder();
        json(random, depth, text, compact);
        return new Json(text.toString(), compact.toString());
    }

    private static void json(Random random, int depth, StringBuilder text, StringBuilder compact) {
        int kind = random.nextInt(depth <= 0 ? 4 : 6);
        switch (kind) {
            case 0, 3 -> both(text, compact, random.nextBoolean() ? number(random) : string(random));
            case 1 -> both(text, compact, string(random));
            case 2 -> both(text, compact, random.nextBoolean() ? "true" : random.nextBoolean() ? "false" : "null");
            case 4 -> {
                both(text, compact, "[");
                int n = random.nextInt(5);
                for (int i = 0; i < n; i++) {
                    if (i > 0) {
                        text.append(space(random));
                        both(text, compact, ",");
                    }
                    text.append(space(random));
                    json(random, depth - 1, text, compact);
                }
                text.append(space(random));
                both(text, compact, "]");
            }
            default -> {
                both(text, compact, "{");
                int n = random.nextInt(5);
                for (int i = 0; i < n; i++) {
                    if (i > 0) {
                        both(text, compact, ",");
                    }
                    text.append(space(random));
                    // A per-position prefix keeps member names unique: duplicates are a separate, refused case.
                    both(text, compact, "\"m" + i + stringBody(random) + "\"");
                    text.append(space(random));
                    both(text, compact, ":");
                    text.append(space(random));
                    json(random, depth - 1, text, compact);
                }
                text.append(space(random));
                both(text, compact, "}");
            }
        }
    }

    private static void both(StringBuilder text, StringBuilder compact, String token) {
        text.append(token);
        compact.append(token);
    }

    /** A JSON number in any of its forms, edge cases included. */
    public static String number(Random random) {
        if (random.nextInt(3) == 0) {
            return EDGE_NUMBERS[random.nextInt(EDGE_NUMBERS.length)];
        }
        StringBuilder n = new StringBuilder();
        if (random.nextBoolean()) {
            n.append('-');
        }
        n.append(random.nextInt(4) == 0 ? "0" : Long.toString(1 + (random.nextLong() >>> (1 + random.nextInt(63)))));
        if (random.nextBoolean()) {
            n.append('.').append(digits(random, 1 + random.nextInt(25)));
        }
        if (random.nextBoolean()) {
            n.append(random.nextBoolean() ? 'e' : 'E');
            n.append(random.nextBoolean() ? "" : random.nextBoolean() ? "+" : "-");
            n.append(random.nextInt(4) == 0
                    ? digits(random, 1 + random.nextInt(22))
                    : Integer.toString(
                            random.nextInt(400)));
        }
        return n.toString();
    }

    /** A JSON string literal (with its quotes) mixing escapes, raw Unicode and plain text. */
    public static String string(Random random) {
        return '"' + stringBody(random) + '"';
    }

    private static String stringBody(Random random) {
        StringBuilder s = new StringBuilder();
        int n = random.nextInt(8);
        for (int i = 0; i < n; i++) {
            switch (random.nextInt(3)) {
                case 0 -> s.append(ESCAPES[random.nextInt(ESCAPES.length)]);
                case 1 -> s.append(RAW[random.nextInt(RAW.length)]);
                default -> s.append((char) ('a' + random.nextInt(26)));
            }
        }
        return s.toString();
    }

    /** Insignificant white space: usually none, sometimes spaces, tabs, CR and LF. */
    public static String space(Random random) {
        if (random.nextInt(3) != 0) {
            return "";
        }
        StringBuilder s = new StringBuilder();
        int n = 1 + random.nextInt(3);
        for (int i = 0; i < n; i++) {
            s.append(" \t\r\n".charAt(random.nextInt(4)));
        }
        return s.toString();
    }

    /** A Java string with control characters, quotes, backslashes, line breaks, non-BMP and lone surrogates. */
    public static String hostileText(Random random) {
        StringBuilder s = new StringBuilder();
        int n = random.nextInt(12);
        for (int i = 0; i < n; i++) {
            switch (random.nextInt(6)) {
                case 0 -> s.append((char) random.nextInt(0x20));
                case 1 -> s.append("\"\\\r\n\t\u0000\u007f\u2028".charAt(random.nextInt(8)));
                case 2 -> s.append(random.nextBoolean() ? "\ud800" : "\udfff");
                case 3 -> s.append(RAW[random.nextInt(RAW.length)]);
                default -> s.append((char) ('a' + random.nextInt(26)));
            }
        }
        return s.toString();
    }

    /**
     * A header field value HTTP allows (RFC 9110: visible ASCII, space, tab and bytes above 0x7f, here UTF-8 text) but
     * that is hostile to a parser: quotes, commas, semicolons, percent signs, non-ASCII. Control characters are left
     * out: the HTTP layer refuses them before any route runs.
     */
    public static String headerValue(Random random) {
        String[] parts = {"\"", "\\", ",", ";", "=", "%zz", "%00", "é", "😀", "\u2028", " ", "\t", "Bearer", "a", "1",
                "-1", "9999999999999999999999", "1.0", "null", "{", "}", "[", "<script>", "../", "*"};
        StringBuilder s = new StringBuilder();
        int n = random.nextInt(6);
        for (int i = 0; i < n; i++) {
            s.append(parts[random.nextInt(parts.length)]);
        }
        return s.toString();
    }

    /** {@code json} damaged at random: cut, a char dropped, duplicated or replaced, or garbage inserted. */
    public static String corrupt(Random random, String json) {
        if (json.isEmpty()) {
            return "{";
        }
        int at = random.nextInt(json.length());
        String garbage = String.valueOf("{}[]\",:\\0-eE.tfn \u0000\ufeff\ud800".charAt(random.nextInt(20)));
        return switch (random.nextInt(4)) {
            case 0 -> json.substring(0, at);
            case 1 -> json.substring(0, at) + json.substring(at + 1);
            case 2 -> json.substring(0, at) + garbage + json.substring(at);
            default -> json.substring(0, at) + garbage + json.substring(at + 1);
        };
    }

    /** A raw query-string value: valid and broken percent-escapes, reserved and non-ASCII characters. */
    public static String queryValue(Random random) {
        String[] parts = {"%zz", "%", "%%%", "%2", "%G1", "%00", "%0a", "%C3%A9", "%C3", "%FF", "%2E%2E", "a", "-",
                "+", "=", "&", "..", "k3j9x2ab:1-0", "%25", "%20"};
        StringBuilder s = new StringBuilder();
        int n = random.nextInt(5);
        for (int i = 0; i < n; i++) {
            s.append(parts[random.nextInt(parts.length)]);
        }
        return s.toString();
    }

    /** {@code text} with control characters and non-ASCII shown as escapes, for failure messages. */
    public static String printable(String text) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < text.length() && s.length() < 2000; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c >= 0x7f) {
                s.append(String.format("\\u%04x", (int) c));
            } else {
                s.append(c);
            }
        }
        return s.toString();
    }

    private static String digits(Random random, int count) {
        StringBuilder s = new StringBuilder(count);
        for (int i = 0; i < count; i++) {
            s.append((char) ('0' + random.nextInt(10)));
        }
        return s.toString();
    }
}
