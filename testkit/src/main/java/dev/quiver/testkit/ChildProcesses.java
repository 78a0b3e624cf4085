package dev.quiver.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

/** What every server process of the testkit does the same way: found on the PATH, stopped, killed, cleaned up. */
final class ChildProcesses {

    private static final Logger LOG = Logger.getLogger(ChildProcesses.class);

    private ChildProcesses() {
    }

    /** {@code program} on the PATH, else in {@code /usr/sbin} (where Debian puts some servers, off a user's PATH). */
    static Optional<Path> onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, program);
            if (!dir.isEmpty() && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        Path sbin = Path.of("/usr/sbin", program);
        return Files.isExecutable(sbin) ? Optional.of(sbin) : Optional.empty();
    }

    /** SIGTERM, then SIGKILL after 10 s; lets its {@link ParentWatch} go. */
    static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        ParentWatch.release(process);
    }

    /** SIGKILL, as a crash: nothing is flushed. */
    static void kill(Process process) {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ParentWatch.release(process);
    }

    /** Deletes {@code dir} and everything in it, as far as it can. */
    static void deleteTree(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).map(Path::toFile).forEach(File::delete);
        } catch (IOException e) {
            LOG.debugf("cannot clean %s: %s", dir, e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
