package dev.quiver.contract.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.quiver.contract.event.TopicPatterns;

/**
 * The publisher API keys, held only as SHA-256 digests. Keys are long random strings, so a fast unsalted hash is
 * enough (nothing to brute-force), and a leaked configuration does not leak a usable key. A presented key is compared
 * against every entry in constant time, without stopping at the first match.
 */
public final class PublisherKeys {

    /** The shortest key accepted in plain form: 32 characters, about 190 bits from a base64 generator. */
    public static final int MIN_KEY_LENGTH = 32;

    /** One key: its name (the identity in logs and limits), digest, topics and optional own rate. */
    public record Entry(String name, byte[] digest, TopicPatterns topics, RateLimiter.Limit rate) {
    }

    private static final String PREFIX = "sha256:";

    private final List<Entry> entries;

    PublisherKeys(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** Keys from configuration and from the optional key file. */
    static PublisherKeys load(Map<String, AuthConfig.PublisherKey> configured, Path file) {
        List<Entry> entries = new ArrayList<>();
        configured.forEach((name, key) -> entries.add(entry(name, key)));
        if (file != null) {
            entries.addAll(readFile(file));
        }
        return new PublisherKeys(entries);
    }

    /** The entry of {@code presented}, or {@code null} for an unknown key. */
    public Entry find(String presented) {
        byte[] digest = sha256(presented);
        Entry found = null;
        for (Entry entry : entries) {
            if (MessageDigest.isEqual(entry.digest(), digest) && found == null) {
                found = entry;
            }
        }
        return found;
    }

    /** The entry named {@code name}, or {@code null}. */
    public Entry byName(String name) {
        for (Entry entry : entries) {
            if (entry.name().equals(name)) {
                return entry;
            }
        }
        return null;
    }

    public int size() {
        return entries.size();
    }

    /** {@code sha256:<hex>} of a key: what to put in configuration (docs/security.md shows a shell one-liner). */
    public static String hash(String key) {
        return PREFIX + HexFormat.of().formatHex(sha256(key));
    }

    private static Entry entry(String name, AuthConfig.PublisherKey key) {
        if (key.hash().isPresent() == key.key().isPresent()) {
            throw new IllegalArgumentException(
                    "quiver.auth.publisher-keys." + name + ": give exactly one of hash, key");
        }
        byte[] digest;
        if (key.key().isPresent()) {
            if (key.key().get().length() < MIN_KEY_LENGTH) {
                throw new IllegalArgumentException("quiver.auth.publisher-keys." + name + ".key: at least "
                        + MIN_KEY_LENGTH + " characters (generate it: openssl rand -base64 32)");
            }
            digest = sha256(key.key().get());
        } else {
            digest = digest(name, key.hash().get());
        }
        RateLimiter.Limit rate = key.eventsPerSecond().isPresent() || key.burst().isPresent()
                ? new RateLimiter.Limit(key.eventsPerSecond().orElse(1000.0),
                        key.burst().orElse((int) Math.max(1, key.eventsPerSecond().orElse(1000.0) * 2)))
                : null;
        return new Entry(name, digest, topics(name, key.topics()), rate);
    }

    private static List<Entry> readFile(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the publisher key file " + file, e);
        }
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+");
            // The line itself may hold a secret by mistake: name its number, never its content.
            String where = file + " line " + (i + 1);
            if (parts.length != 3) {
                throw new IllegalArgumentException(where + ": expected <name> sha256:<hex> <glob>[,<glob>...]");
            }
            entries.add(new Entry(parts[0], digest(where, parts[1]), topics(where, List.of(parts[2].split(","))),
                    null));
        }
        return entries;
    }

    private static byte[] digest(String where, String hash) {
        String hex = hash.startsWith(PREFIX) ? hash.substring(PREFIX.length()) : "";
        if (hex.length() != 64 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new IllegalArgumentException(where + ": a key hash is sha256: followed by 64 hex digits");
        }
        return HexFormat.of().parseHex(hex.toLowerCase(Locale.ROOT));
    }

    private static TopicPatterns topics(String where, List<String> globs) {
        TopicPatterns topics = TopicPatterns.of(globs);
        if (topics.isEmpty()) {
            throw new IllegalArgumentException(where + ": a publisher key needs at least one topic pattern");
        }
        return topics;
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    @Override
    public String toString() {
        // Never the digests.
        return "PublisherKeys" + Arrays.toString(entries.stream().map(Entry::name).toArray());
    }
}
