package dev.quiver.testkit;

import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Property-based checks with bounded, reproducible examples: a property is tried on {@code examples} values drawn
 * from a generator seeded with a fixed seed, so a run is the same every time (a suite that never flakes) and a failure
 * names the seed and example that broke it. {@code -Dquiver.fuzz.seed=N} draws other examples, and
 * {@code -Dquiver.fuzz.scale=K} multiplies their number, for a longer hunt outside CI.
 */
public final class Fuzz {

    private static final long DEFAULT_SEED = 0x5157_4956_4552L;

    private Fuzz() {
    }

    /** The seed this run draws from. */
    public static long seed() {
        return Long.getLong("quiver.fuzz.seed", DEFAULT_SEED);
    }

    /**
     * Checks {@code property} on {@code examples} values of {@code generator}.
     *
     * @param name what is being checked, for the failure message
     * @throws AssertionError naming the seed, the example's index and the example, when the property fails
     */
    public static <T> void check(String name, int examples, Function<Random, T> generator, Consumer<T> property) {
        long seed = seed() ^ name.hashCode();
        Random random = new Random(seed);
        int count = examples * Integer.getInteger("quiver.fuzz.scale", 1);
        for (int i = 0; i < count; i++) {
            T example = generator.apply(random);
            try {
                property.accept(example);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(name + " failed on example " + i + " (seed " + seed() + "): "
                        + FuzzValues.printable(String.valueOf(example)) + "\n" + e.getMessage(), e);
            }
        }
    }
}
