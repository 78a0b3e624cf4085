package dev.quiver.bench;

import java.time.Instant;

/** Wall-clock microseconds: publisher and subscribers share this one machine's clock. */
final class Clock {

    private Clock() {
    }

    static long micros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
    }
}
