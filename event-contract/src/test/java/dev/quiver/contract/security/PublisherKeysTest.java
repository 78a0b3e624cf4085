package dev.quiver.contract.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PublisherKeysTest {

    private static final String KEY = "k3y-0123456789abcdefghijklmnopqrstuvwxyz";

    @Test
    void keysFromAFileAreFoundByTheirValueAndNeverShowTheirDigest(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("keys");
        Files.writeString(file, "# rotated 2026-11\n\nbilling " + PublisherKeys.hash(KEY) + " billing:*,audit:*\n");
        PublisherKeys keys = PublisherKeys.load(Map.of(), file);
        PublisherKeys.Entry entry = keys.find(KEY);
        assertThat(entry.name()).isEqualTo("billing");
        assertThat(entry.topics().matches("audit:x")).isTrue();
        assertThat(entry.topics().matches("orders:x")).isFalse();
        assertThat(keys.find(KEY + "x")).isNull();
        assertThat(keys.find("")).isNull();
        assertThat(keys.toString()).contains("billing").doesNotContain(PublisherKeys.hash(KEY).substring(7));
    }

    @Test
    void aBadLineNamesItsNumberButNotItsContent(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("keys");
        Files.writeString(file, "ok " + PublisherKeys.hash(KEY) + " a:*\nleaked-plain-secret-value a:*\n");
        assertThatThrownBy(() -> PublisherKeys.load(Map.of(), file)).hasMessageContaining("line 2")
                .hasMessageNotContaining("leaked-plain-secret-value");
        Files.writeString(file, "bad sha256:1234 a:*\n");
        assertThatThrownBy(() -> PublisherKeys.load(Map.of(), file)).hasMessageContaining("64 hex digits");
    }
}
