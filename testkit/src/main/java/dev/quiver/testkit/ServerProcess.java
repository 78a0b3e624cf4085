package dev.quiver.testkit;

/** A server the testkit runs as a child process ({@link RedisServer}, {@link NatsServer}): alive, stopped, killed. */
public abstract class ServerProcess {

    /** The running process, or {@code null} while stopped. */
    protected Process process;

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
}
