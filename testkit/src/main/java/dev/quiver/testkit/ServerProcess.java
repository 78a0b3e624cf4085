package dev.quiver.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A server the testkit runs as a child process ({@link RedisServer}, {@link NatsServer}): what an outage test does to
 * it, whichever broker it is (stopped, killed, frozen, restarted).
 */
public abstract class ServerProcess {

    /** The running process, or {@code null} while stopped. */
    protected Process process;

    /** Starts the server again on the same port(s) and waits until it answers. */
    public abstract void restart();

    /** Whether the process is alive. */
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Stops the server: SIGTERM, then SIGKILL after 10 s. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        ChildProcesses.stop(process);
        process = null;
    }

    /** Kills the server (SIGKILL), as a crashed or lost node: nothing is flushed, clients see their connections reset. */
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        ChildProcesses.kill(process);
        process = null;
    }

    /**
     * Freezes the server (SIGSTOP): connections stay open and nothing is answered, as with a server stuck on a slow
     * disk or a paused VM. {@link #thaw()} resumes it.
     */
    public synchronized void freeze() {
        signal("-STOP");
    }

    /** Resumes a {@link #freeze() frozen} server. */
    public synchronized void thaw() {
        signal("-CONT");
    }

    private void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill " + signal + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
