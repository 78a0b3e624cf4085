package dev.quiver.edge;

import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

import dev.quiver.testkit.TestTokens;

/** Authentication on, as in production, with the test keys; small limits so that the suites can reach them. */
public class SecurityProfile implements QuarkusTestProfile {

    /** The one Origin whose pages may open WebSockets. */
    static final String ALLOWED_ORIGIN = "https://app.quiver.test";

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> config = new HashMap<>(TestTokens.authConfig());
        config.put("quarkus.http.cors.origins", ALLOWED_ORIGIN);
        config.put("quiver.edge.max-connections-per-client", "3");
        config.put("quiver.edge.connect-rate.per-second", "20");
        config.put("quiver.edge.connect-rate.burst", "40");
        // Short, so that a silent half-open socket is seen to go away within the test.
        config.put("quarkus.http.idle-timeout", "3s");
        return config;
    }
}
