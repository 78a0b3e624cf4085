package dev.quiver.contract.event;

import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A set of topic globs such as {@code orders:*}: {@code *} matches any run of characters (including none), every
 * other character matches itself. Used for retention overrides and for the topics a key or token may use.
 */
public final class TopicPatterns {

    private static final TopicPatterns NONE = new TopicPatterns(List.of(), null);

    private final List<String> globs;
    private final Pattern pattern;

    private TopicPatterns(List<String> globs, Pattern pattern) {
        this.globs = globs;
        this.pattern = pattern;
    }

    /** Patterns matching any topic one of {@code globs} matches; blank entries are ignored. */
    public static TopicPatterns of(Collection<String> globs) {
        List<String> kept = globs.stream().map(String::trim).filter(glob -> !glob.isEmpty()).distinct().toList();
        if (kept.isEmpty()) {
            return NONE;
        }
        StringBuilder regex = new StringBuilder();
        for (String glob : kept) {
            if (regex.length() > 0) {
                regex.append('|');
            }
            regex.append("(?:").append(glob(glob).pattern()).append(')');
        }
        return new TopicPatterns(kept, Pattern.compile(regex.toString()));
    }

    /** Patterns that match nothing. */
    public static TopicPatterns none() {
        return NONE;
    }

    public boolean matches(String topic) {
        return pattern != null && topic != null && pattern.matcher(topic).matches();
    }

    public boolean isEmpty() {
        return pattern == null;
    }

    public List<String> globs() {
        return globs;
    }

    /** The regular expression of one glob. */
    public static Pattern glob(String glob) {
        StringBuilder regex = new StringBuilder();
        String[] literals = glob.split("\\*", -1);
        for (int i = 0; i < literals.length; i++) {
            if (i > 0) {
                regex.append(".*");
            }
            if (!literals[i].isEmpty()) {
                regex.append(Pattern.quote(literals[i]));
            }
        }
        return Pattern.compile(regex.toString());
    }

    @Override
    public String toString() {
        return String.join(",", globs);
    }
}
