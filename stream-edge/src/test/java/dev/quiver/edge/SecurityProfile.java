package dev.quiver.edge;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

import dev.quiver.testkit.TestTokens;

/** Authentication on, as in production, with the test keys; small limits so that the suites can reach them. */
public class SecurityProfile implements QuarkusTestProfile {

    /** The one Origin whose pages may open WebSockets. */
    static final String ALLOWED_ORIGIN = "https://app.quiver.test";

    /** A key in the key file, which the revocation test removes. */
    static final String FILE_KEY = "file-key-0123456789abcdefghijklmnopqrstuvwxyz";

    /** The publisher key file, re-read every half second. */
    static final Path KEY_FILE = keyFile();

    private static Path keyFile() {
        try {
            Path file = Files.createTempFile("quiver-keys", ".txt");
            file.toFile().deleteOnExit();
            Files.writeString(file, "rotating " + TestTokens.sha256(FILE_KEY) + " public.*\n");
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> config = new HashMap<>(TestTokens.authConfig());
        config.put("quarkus.http.cors.origins", ALLOWED_ORIGIN);
        config.put("quiver.edge.max-connections-per-client", "3");
        // Every test here connects from 127.0.0.1, far faster than one client would: the production attempt rate
        // would answer some of them 429 by chance. FloodTest runs with it, in an application of its own.
        config.put("quiver.edge.connect-rate.per-second", "100000");
        config.put("quiver.edge.connect-rate.burst", "100000");
        // Short, so that a silent half-open socket is seen to go away within the test.
        config.put("quarkus.http.idle-timeout", "3s");
        config.put("quiver.auth.publisher-keys-file", KEY_FILE.toString());
        config.put("quiver.auth.reload-interval", "500ms");
        config.put("quiver.presence.topics", "room.*");
        config.put("quiver.presence.flush-interval", "50ms");
        return config;
    }
}
