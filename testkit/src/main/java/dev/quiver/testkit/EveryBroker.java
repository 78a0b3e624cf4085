package dev.quiver.testkit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.Tag;

/**
 * A behaviour suite that must hold on every broker: the build runs it once on Redis and once more on NATS (the tag
 * {@value #TAG} selects it for the second run), always with {@link BrokerTestResource}. Suites about one broker's
 * mechanics (a Redis Cluster's slots, Redis's CLIENT PAUSE) are not marked.
 */
@Tag(EveryBroker.TAG)
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface EveryBroker {

    /** The JUnit tag. */
    String TAG = "every-broker";
}
