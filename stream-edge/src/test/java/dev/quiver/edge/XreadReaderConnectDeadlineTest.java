package dev.quiver.edge;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@link ReaderConnectDeadlineTest} with the {@code xread} live reader, which waited on a silent node the same way. */
@QuarkusTest
@WithTestResource(SilentReaderResource.class)
@TestProfile(XreadReaderResilienceTest.Xread.class)
class XreadReaderConnectDeadlineTest extends ReaderConnectDeadlineTest {
}
