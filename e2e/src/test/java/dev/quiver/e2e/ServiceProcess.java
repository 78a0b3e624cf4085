package dev.quiver.e2e;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.quiver.testkit.ParentWatch;
import dev.quiver.testkit.RedisServer;

/** One packaged Quiver service running as its own JVM process, as it would in a pod. */
final class ServiceProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final String name;
    final int port;
    private final Path jar;
    private final Map<String, String> properties;
    private Process process;

    private ServiceProcess(String name, Path jar, int port, Map<String, String> properties) {
        this.name = name;
        this.jar = jar;
        this.port = port;
        this.properties = properties;
    }

    /** Starts {@code module}'s packaged application on a free port and waits until it is ready. */
    static ServiceProcess start(String name, String module, Map<String, String> properties) {
        Path jar = Path.of(System.getProperty("quiver.root", ".."), module, "target", "quarkus-app", "quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: package " + module + " first");
        }
        ServiceProcess service = new ServiceProcess(name, jar, RedisServer.freePort(), properties);
        service.launch();
        return service;
    }

    void launch() {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-Xmx256m");
        command.add("-Dquarkus.http.port=" + port);
        command.add("-Dquarkus.http.host=127.0.0.1");
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-jar");
        command.add(jar.toString());
        File log = Path.of("target", "e2e-logs", name + ".log").toFile();
        log.getParentFile().mkdirs();
        try {
            process = new ProcessBuilder(ParentWatch.command(command)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        awaitReady(Duration.ofSeconds(60));
    }

    URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port + pathAndQuery);
    }

    int readiness() {
        try {
            return HTTP.send(HttpRequest.newBuilder(uri("/q/health/ready")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited at start; see target/e2e-logs/" + name + ".log");
            }
            if (readiness() == 200) {
                return;
            }
            sleep(100);
        }
        throw new IllegalStateException(name + " not ready within " + timeout);
    }

    /** SIGKILL: the pod vanishes, as on a node crash. */
    void kill() {
        process.destroyForcibly();
        waitExit(Duration.ofSeconds(10));
    }

    /** SIGTERM: a normal pod shutdown, which drains. Returns without waiting. */
    void terminate() {
        process.destroy();
    }

    boolean waitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() {
        if (alive()) {
            process.destroyForcibly();
            waitExit(Duration.ofSeconds(10));
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
