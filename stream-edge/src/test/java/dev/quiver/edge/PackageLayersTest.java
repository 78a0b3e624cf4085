package dev.quiver.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The edge's packages form layers (docs/edge.md, "Structure"): each imports only packages below it, never one above
 * it or its parent, so a new broker or transport plugs in without cycles. Read from the sources.
 */
class PackageLayersTest {

    /** Top to bottom; packages on one line (one string) are peers and do not import each other. */
    private static final List<String> LAYERS = List.of("", "sse poll ws", "ws.protocol", "presence", "health", "http",
            "connection", "session", "hub", "redis nats", "broker", "event", "security", "loop config metrics");

    private static final Pattern IMPORT = Pattern.compile("^import dev\\.quiver\\.edge\\.([a-z.]+)\\.[A-Z]",
            Pattern.MULTILINE);

    private static int layer(String pkg) {
        for (int i = 0; i < LAYERS.size(); i++) {
            if (List.of(LAYERS.get(i).split(" ")).contains(pkg)) {
                return i;
            }
        }
        throw new AssertionError("package dev.quiver.edge." + pkg + " has no layer in docs/edge.md");
    }

    @Test
    void everyImportGoesDown() throws IOException {
        Path root = Path.of("src/main/java/dev/quiver/edge");
        List<String> upward = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String pkg = root.relativize(file.getParent()).toString().replace('/', '.');
                Matcher imported = IMPORT.matcher(Files.readString(file));
                while (imported.find()) {
                    String target = imported.group(1);
                    if (!target.equals(pkg) && layer(target) <= layer(pkg)) {
                        upward.add(file.getFileName() + " (" + pkg + ") imports " + target);
                    }
                }
            }
        }
        assertThat(upward).isEmpty();
    }
}
