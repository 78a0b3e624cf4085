package dev.quiver.contract.nats;

import java.util.concurrent.Callable;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

import dev.quiver.contract.problem.ProblemException;

/** Blocking JetStream requests as {@link Uni}s: on a worker, never an event loop, and any failure a 503. */
public final class NatsCalls {

    private NatsCalls() {
    }

    /** Runs {@code call} on a worker; a failure that is not already a problem becomes 503 "NATS is unavailable". */
    public static <T> Uni<T> blocking(Callable<T> call) {
        return Uni.createFrom().item(() -> {
            try {
                return call.call();
            } catch (ProblemException e) {
                throw e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ProblemException.unavailable("NATS is unavailable", 1, e);
            } catch (Exception e) {
                throw ProblemException.unavailable("NATS is unavailable", 1, e);
            }
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }
}
