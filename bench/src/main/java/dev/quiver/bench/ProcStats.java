package dev.quiver.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident memory and CPU time of a process, from /proc (Linux). */
record ProcStats(long rssBytes, double cpuSeconds) {

    /** Clock ticks per second of /proc/<pid>/stat times; 100 on every Linux this runs on. */
    private static final double TICKS = 100.0;

    static ProcStats of(long pid) {
        try {
            long rss = 0;
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // Fields after the command name, which is in parentheses and may contain spaces.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            double cpu = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS;
            return new ProcStats(rss, cpu);
        } catch (IOException | RuntimeException e) {
            return new ProcStats(-1, -1);
        }
    }
}
