package dev.quiver.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The README's run command (dev.quiver.local.LocalStack) launched in its own JVM: its process, its output, and every
 * child it started (seen while it ran).
 */
final class LocalStackProcess {

    /** A banner line: {@code   stream-edge-a  http://localhost:8082   (pid 123)}. */
    private static final Pattern SERVICE = Pattern.compile("^\\s+(\\S+)\\s+http://\\S+\\s+\\(pid (\\d+)\\)");

    final Process process;
    final List<String> lines = new CopyOnWriteArrayList<>();
    final List<Long> children = new CopyOnWriteArrayList<>();

    private LocalStackProcess(Process process) {
        this.process = process;
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // The launcher is gone.
            }
        }, "local-stack-output");
        reader.setDaemon(true);
        reader.start();
        Thread watcher = new Thread(() -> {
            while (process.isAlive()) {
                process.descendants().forEach(child -> {
                    if (!children.contains(child.pid())) {
                        children.add(child.pid());
                    }
                });
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "local-stack-children");
        watcher.setDaemon(true);
        watcher.start();
    }

    /**
     * Launches the stack on {@code base} (ingest; the demo page is on {@code base - 1}); {@code serviceArgs} go to
     * every service's JVM.
     */
    static LocalStackProcess launch(int base, String... serviceArgs) throws IOException {
        return launchOn("standalone", base, serviceArgs);
    }

    /**
     * {@link #launch(int, String...)} on a broker {@code topology}: Redis {@code standalone} or {@code cluster}, or
     * {@code nats} (one JetStream server).
     */
    static LocalStackProcess launchOn(String topology, int base, String... serviceArgs) throws IOException {
        Process process = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), "-Dquiver.root=" + System.getProperty("quiver.root", ".."),
                "-Dquiver.local.base-port=" + base, "-Dquiver.local.service-args=" + String.join("|", serviceArgs),
                "-Dquiver.local.redis=" + ("nats".equals(topology) ? "standalone" : topology),
                "-Dquiver.local.broker=" + ("nats".equals(topology) ? "nats" : "redis"),
                "dev.quiver.local.LocalStack").redirectErrorStream(true).start();
        return new LocalStackProcess(process);
    }

    /** A base port with itself, the port below it (demo page) and the three above it free. */
    static int freeBase() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20_000, 30_000);
            List<ServerSocket> probes = new ArrayList<>();
            try {
                for (int i = -1; i < 4; i++) {
                    ServerSocket socket = new ServerSocket();
                    probes.add(socket);
                    socket.bind(new InetSocketAddress("0.0.0.0", base + i));
                }
                return base;
            } catch (IOException taken) {
                // Try another range.
            } finally {
                for (ServerSocket socket : probes) {
                    socket.close();
                }
            }
        }
        throw new IllegalStateException("no five consecutive free ports");
    }

    String output() {
        return String.join("\n", lines);
    }

    /** Pid of every service, by the name the banner gives it. */
    Map<String, Long> services() {
        Map<String, Long> services = new LinkedHashMap<>();
        for (String line : lines) {
            Matcher m = SERVICE.matcher(line);
            if (m.find()) {
                services.put(m.group(1), Long.parseLong(m.group(2)));
            }
        }
        return services;
    }

    List<Long> pids() {
        return List.copyOf(services().values());
    }

    void await(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!output().contains(text)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("no '" + text + "' from the launcher:\n" + output());
            }
            Thread.sleep(100);
        }
    }
}
