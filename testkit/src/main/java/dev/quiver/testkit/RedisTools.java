package dev.quiver.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Redis programs beside {@code redis-server} that topologies need: {@code redis-cli} (cluster creation) and
 * {@code redis-sentinel}. Debian packages them as {@code redis-tools} (a dependency of {@code redis-server}) and
 * {@code redis-sentinel}; {@code .ci/run} installs both. A test that needs one fails, naming the package, when it is
 * missing: a topology test that skips would prove nothing.
 */
final class RedisTools {

    private RedisTools() {
    }

    /** {@code redis-cli} beside {@code server}, else on the PATH. */
    static Path cli(Path server) {
        return find(server, "redis-cli").orElseThrow(() -> new IllegalStateException(
                "redis-cli is missing (Debian: apt-get install redis-tools); Redis Cluster tests need it"));
    }

    /**
     * The command that starts a sentinel: {@code redis-sentinel} beside {@code server} or on the PATH, else the server
     * itself in sentinel mode (the same program; Debian's {@code redis-sentinel} is a link to it).
     */
    static List<String> sentinel(Path server, Path config) {
        return find(server, "redis-sentinel").map(path -> List.of(path.toString(), config.toString()))
                .orElse(List.of(server.toString(), config.toString(), "--sentinel"));
    }

    /** Fails unless {@code server} is at least {@code major}, naming {@code what} needs it. */
    static void requireVersion(Path server, int major, String what) {
        String version = run(List.of(server.toString(), "--version"), Duration.ofSeconds(10));
        Matcher matcher = Pattern.compile("v=(\\d+)\\.").matcher(version);
        if (!matcher.find() || Integer.parseInt(matcher.group(1)) < major) {
            throw new IllegalStateException(what + " needs Redis " + major + " or newer; " + server + " is: "
                    + version.trim() + " (set QUIVER_REDIS_SERVER, or install Debian's redis-server)");
        }
    }

    /** Runs {@code command} to its end and returns its output; fails on a non-zero exit or a timeout. */
    static String run(List<String> command, Duration timeout) {
        try {
            Path output = Files.createTempFile("quiver-redis-tool", ".log");
            try {
                Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                        .start();
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout);
                }
                String text = Files.readString(output, StandardCharsets.UTF_8);
                if (process.exitValue() != 0) {
                    throw new IllegalStateException(
                            String.join(" ", command) + " exited with " + process.exitValue() + ": " + text);
                }
                return text;
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Polls {@code condition} every 100 ms until it holds; fails naming {@code what} and the last error. */
    static void await(Duration timeout, String what, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(timeout);
        RuntimeException last = null;
        while (Instant.now().isBefore(deadline)) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException notYet) {
                last = notYet;
            }
            try {
                TimeUnit.MILLISECONDS.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("no " + what + " within " + timeout, last);
    }

    private static Optional<Path> find(Path server, String program) {
        Path beside = server.resolveSibling(program);
        if (Files.isExecutable(beside)) {
            return Optional.of(beside);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, program);
            if (!dir.isEmpty() && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
