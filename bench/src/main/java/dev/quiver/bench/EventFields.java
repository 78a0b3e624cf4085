package dev.quiver.bench;

/**
 * Reads the two numbers the load tool puts in every event's data ({@code {"seq":N,"sent":MICROS}}) from an SSE
 * {@code data:} line without a JSON parser: the tool shares the machine's two cores with the servers it measures.
 */
final class EventFields {

    private EventFields() {
    }

    /** The value of {@code "name":<digits>} in {@code line}, or -1. */
    static long number(CharSequence line, String name) {
        String needle = "\"" + name + "\":";
        int at = indexOf(line, needle);
        if (at < 0) {
            return -1;
        }
        long value = 0;
        int digits = 0;
        for (int i = at + needle.length(); i < line.length(); i++) {
            char c = line.charAt(i);
            if (c < '0' || c > '9') {
                break;
            }
            value = value * 10 + (c - '0');
            digits++;
        }
        return digits == 0 ? -1 : value;
    }

    /**
     * The event's stream id {@code "id":"<ms>-<seq>"} as one comparable number (ms * 2^20 + seq; sequences stay far
     * below 2^20 within a millisecond here), or -1.
     */
    static long streamId(CharSequence line) {
        String needle = "\"id\":\"";
        int at = indexOf(line, needle);
        if (at < 0) {
            return -1;
        }
        long millis = 0;
        long seq = 0;
        boolean dash = false;
        for (int i = at + needle.length(); i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '-') {
                dash = true;
            } else if (c >= '0' && c <= '9') {
                if (dash) {
                    seq = seq * 10 + (c - '0');
                } else {
                    millis = millis * 10 + (c - '0');
                }
            } else {
                break;
            }
        }
        return dash ? (millis << 20) + seq : -1;
    }

    private static int indexOf(CharSequence text, String needle) {
        outer : for (int i = 0; i + needle.length() <= text.length(); i++) {
            for (int j = 0; j < needle.length(); j++) {
                if (text.charAt(i + j) != needle.charAt(j)) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
