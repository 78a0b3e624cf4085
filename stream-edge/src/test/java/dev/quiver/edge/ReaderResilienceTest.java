package dev.quiver.edge;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.quiver.testkit.BrokerTestResource;

/** {@link ReaderResilience} with the default live reader, sharded Pub/Sub. */
@QuarkusTest
@WithTestResource(BrokerTestResource.class)
class ReaderResilienceTest extends ReaderResilience {
}
