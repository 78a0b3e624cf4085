package dev.quiver.contract.event;

import java.util.Collection;
import java.util.List;

/**
 * A set of topic globs such as {@code orders:*}: {@code *} matches any run of characters (including none), every
 * other character matches itself. Used for retention overrides and for the topics a key or token may use.
 * <p>
 * Matching is a linear scan with one backtrack point per glob, never a regular expression: patterns may come from
 * token claims, and a crafted pattern must not be able to stall an event loop.
 */
public final class TopicPatterns {

    private static final TopicPatterns NONE = new TopicPatterns(List.of());

    private final List<String> globs;

    private TopicPatterns(List<String> globs) {
        this.globs = globs;
    }

    /** Patterns matching any topic one of {@code globs} matches; blank entries are ignored. */
    public static TopicPatterns of(Collection<String> globs) {
        List<String> kept = globs.stream().map(String::trim).filter(glob -> !glob.isEmpty())
                .map(glob -> glob.replaceAll("\\*{2,}", "*")).distinct().toList();
        return kept.isEmpty() ? NONE : new TopicPatterns(kept);
    }

    /** Patterns that match nothing. */
    public static TopicPatterns none() {
        return NONE;
    }

    public boolean matches(String topic) {
        if (topic == null) {
            return false;
        }
        for (String glob : globs) {
            if (matches(glob, topic)) {
                return true;
            }
        }
        return false;
    }

    public boolean isEmpty() {
        return globs.isEmpty();
    }

    public List<String> globs() {
        return globs;
    }

    /**
     * Whether {@code glob} matches all of {@code text}: on a mismatch, the last {@code *} takes one more character and
     * the scan resumes after it. O(glob x text) at worst, no recursion.
     */
    static boolean matches(String glob, String text) {
        int g = 0;
        int t = 0;
        int star = -1;
        int resume = 0;
        while (t < text.length()) {
            if (g < glob.length() && glob.charAt(g) == '*') {
                star = g++;
                resume = t;
            } else if (g < glob.length() && glob.charAt(g) == text.charAt(t)) {
                g++;
                t++;
            } else if (star >= 0) {
                g = star + 1;
                t = ++resume;
            } else {
                return false;
            }
        }
        while (g < glob.length() && glob.charAt(g) == '*') {
            g++;
        }
        return g == glob.length();
    }

    @Override
    public String toString() {
        return String.join(",", globs);
    }
}
