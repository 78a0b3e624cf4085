package dev.quiver.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/**
 * The demo page and the browser client in real, headless Chromium (Debian's, driven by Playwright from
 * src/test/node/browser.test.mjs) against the local stack of the README's run command: events arrive, the page resumes
 * on the other edge pod when its pod is killed (ids compared with ingest's), an expired cursor leads to a reset and a
 * snapshot reload, and a buffering proxy to the long-polling fallback. Without Chromium this test fails.
 */
class BrowserIT {

    @Test
    void demoPageInChromium() throws Exception {
        int base = LocalStackProcess.freeBase();
        // The expired-cursor scenario needs a short history: about 5 events for demo.tiny* topics.
        LocalStackProcess stack = LocalStackProcess.launch(base,
                "-Dquiver.events.retention.topics.\"demo.tiny*\".max-len=5");
        try {
            stack.await("Ctrl-C stops everything", Duration.ofSeconds(120));
            Map<String, Long> pids = stack.services();
            assertThat(pids).containsKeys("stream-edge-a", "stream-edge-b");
            Path target = Path.of(System.getProperty("quiver.root", "..")).resolve("e2e/target");
            Files.createDirectories(target);
            File log = target.resolve("browser-test.log").toFile();
            ProcessBuilder node = new ProcessBuilder("node", "--test", "--test-timeout=180000", "browser.test.mjs")
                    .directory(Path.of(System.getProperty("quiver.node.dir")).toFile()).redirectErrorStream(true)
                    .redirectOutput(log);
            String host = "http://127.0.0.1:";
            node.environment().put("QUIVER_DEMO", host + (base - 1) + "/");
            node.environment().put("QUIVER_INGEST", host + base);
            node.environment().put("QUIVER_SNAPSHOT", host + (base + 2));
            node.environment().put("QUIVER_EDGES", host + (base + 1) + "," + host + (base + 3));
            node.environment().put("QUIVER_EDGE_PIDS", pids.entrySet().stream()
                    .filter(e -> e.getKey().startsWith("stream-edge")).map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining(",")));
            node.environment().put("QUIVER_SCREENSHOT", target.resolve("demo.png").toString());
            Process run = node.start();
            boolean finished = run.waitFor(8, TimeUnit.MINUTES);
            if (!finished) {
                run.destroyForcibly();
            }
            String output = Files.readString(log.toPath());
            assertThat(finished).as("the browser tests finished in time:\n" + output).isTrue();
            assertThat(run.exitValue()).as("the browser tests passed:\n" + output).isZero();
            assertThat(output).contains("# pass 5", "# fail 0");
        } finally {
            stack.process.destroy();
            stack.process.waitFor(40, TimeUnit.SECONDS);
        }
    }
}
