package dev.quiver.edge;

import java.util.Map;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.quiver.testkit.RedisTestResource;

/** {@link ReaderResilience} with the {@code xread} live reader. */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
@TestProfile(XreadReaderResilienceTest.Xread.class)
class XreadReaderResilienceTest extends ReaderResilience {

    /** One blocking XREAD over every watched topic. */
    public static class Xread implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quiver.edge.live-source", "xread");
        }
    }
}
