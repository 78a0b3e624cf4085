package dev.quiver.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the services read, as the environment variable names a deploy file may set: every property in a service's
 * application.properties or documented in docs/*.md (quiver.* and quarkus.*), in MicroProfile Config's environment
 * form, plus the variables the properties reference directly ({@code ${QUIVER_CORS_ORIGINS:...}}).
 */
final class ServiceSettings {

    /** The services, their module names and HTTP ports as application.properties declares them. */
    static final Map<String, Integer> PORTS = Map.of("event-ingest", port("event-ingest"), "stream-edge",
            port("stream-edge"), "snapshot-api", port("snapshot-api"));

    private static final Pattern PROPERTY = Pattern
            .compile("(?m)^(?:%[a-z]+\\.)?((?:quiver|quarkus)\\.[A-Za-z0-9.\"*_-]+)=");
    private static final Pattern DOCUMENTED = Pattern.compile("`((?:quiver|quarkus)\\.[a-z0-9.-]+)`");
    private static final Pattern REFERENCED = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]+)[:}]");
    /** Families that take any key below them (maps of the configuration). */
    private static final Pattern FAMILIES = Pattern.compile(
            "QUIVER_AUTH_PUBLISHER_KEYS_[A-Z0-9_]+|QUIVER_EVENTS_RETENTION_TOPICS_[A-Z0-9_]+");

    private static final Set<String> KNOWN = known();

    private ServiceSettings() {
    }

    static boolean understood(String variable) {
        return KNOWN.contains(variable) || FAMILIES.matcher(variable).matches() || "JAVA_TOOL_OPTIONS".equals(variable);
    }

    /** MicroProfile Config's environment form: every non-alphanumeric character becomes _, then upper case. */
    static String env(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    static int port(String module) {
        Matcher m = Pattern.compile("(?m)^quarkus\\.http\\.port=(\\d+)$")
                .matcher(Repo.read(Repo.path(module + "/src/main/resources/application.properties")));
        if (!m.find()) {
            throw new IllegalStateException("no quarkus.http.port in " + module);
        }
        return Integer.parseInt(m.group(1));
    }

    private static Set<String> known() {
        Set<String> known = new HashSet<>();
        for (String module : new String[]{"event-ingest", "stream-edge", "snapshot-api"}) {
            String properties = Repo.read(Repo.path(module + "/src/main/resources/application.properties"));
            Matcher p = PROPERTY.matcher(properties);
            while (p.find()) {
                known.add(env(p.group(1)));
            }
            Matcher r = REFERENCED.matcher(properties);
            while (r.find()) {
                known.add(r.group(1));
            }
        }
        try (Stream<Path> docs = Files.list(Repo.path("docs"))) {
            docs.filter(f -> f.toString().endsWith(".md")).forEach(f -> {
                Matcher d = DOCUMENTED.matcher(Repo.read(f));
                while (d.find()) {
                    known.add(env(d.group(1)));
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return known;
    }
}
