package dev.quiver.testkit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@link ServerProcess} field of a Quarkus test that {@link BrokerTestResource} fills in with the broker it
 * started, Redis or NATS: what an outage test stops, freezes or restarts.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface InjectBroker {
}
