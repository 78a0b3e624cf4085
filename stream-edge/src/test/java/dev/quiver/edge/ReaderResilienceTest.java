package dev.quiver.edge;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.quiver.testkit.RedisTestResource;

/** {@link ReaderResilience} with the default live reader, sharded Pub/Sub. */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
class ReaderResilienceTest extends ReaderResilience {
}
