package dev.quiver.testkit;

import java.util.ArrayList;
import java.util.List;

/**
 * Child processes that end when their parent JVM ends, however it ends: Ctrl-C and SIGTERM run shutdown hooks, but a
 * SIGKILL (or a crash) of the parent runs nothing and used to leave every service and Redis running.
 * <p>
 * The command is started through {@code /bin/sh}, which starts a watcher that blocks reading its standard input (a
 * pipe whose only writer is the parent) and then replaces itself with the command, keeping its pid. When the parent
 * dies, the kernel closes the pipe, the watcher reads end-of-file and sends the command SIGTERM, so the service shuts
 * down cleanly. The parent keeps the pipe open by never closing the child's standard input until it stops the child.
 */
public final class ParentWatch {

    private static final String SCRIPT = "exec 3<&0; "
            + "{ cat <&3 >/dev/null; kill -TERM $$ 2>/dev/null; } & "
            + "exec 3<&-; exec \"$@\" </dev/null";

    private ParentWatch() {
    }

    /** {@code command}, wrapped so that the process it becomes is sent SIGTERM when this JVM is gone. */
    public static List<String> command(List<String> command) {
        List<String> wrapped = new ArrayList<>(List.of("/bin/sh", "-c", SCRIPT, "quiver-child"));
        wrapped.addAll(command);
        return wrapped;
    }

    /** Lets the watcher of a child that is stopping (or stopped) go: closes the pipe it reads. */
    public static void release(Process process) {
        try {
            process.getOutputStream().close();
        } catch (java.io.IOException alreadyClosed) {
            // Nothing to release.
        }
    }
}
