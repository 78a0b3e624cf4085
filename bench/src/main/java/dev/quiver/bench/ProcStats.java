package dev.quiver.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Memory and CPU time of one process or of a group of processes (nginx's workers), from /proc (Linux).
 * <p>
 * Memory is PSS (proportional set size), not RSS: nginx workers share their shared-memory zone, and RSS would count it
 * once per worker. For a single JVM the two are nearly equal.
 */
record ProcStats(long pssBytes, double cpuSeconds) {

    /** Clock ticks per second of /proc/<pid>/stat times; 100 on every Linux this runs on. */
    private static final double TICKS = 100.0;

    static ProcStats of(List<Long> pids) {
        long pss = 0;
        double cpu = 0;
        for (long pid : pids) {
            ProcStats one = of(pid);
            pss += one.pssBytes();
            cpu += one.cpuSeconds();
        }
        return new ProcStats(pss, cpu);
    }

    static ProcStats of(long pid) {
        try {
            long pss = -1;
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/smaps_rollup"))) {
                if (line.startsWith("Pss:")) {
                    pss = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // Fields after the command name, which is in parentheses and may contain spaces.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            double cpu = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS;
            return new ProcStats(pss, cpu);
        } catch (IOException | RuntimeException e) {
            return new ProcStats(0, 0);
        }
    }
}
