package dev.quiver.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;

/** helm lint --strict, then helm template for every ci/*.yaml value set, and what each rendering must guarantee. */
class HelmChartTest {

    static final Path CHART = Repo.path("helm/quiver");

    static Stream<Path> valueSets() throws IOException {
        return Files.list(CHART.resolve("ci")).filter(p -> p.toString().endsWith(".yaml")).sorted();
    }

    static List<JsonNode> render(Path values) {
        return Repo.documents(template().withValuesFile(values).call());
    }

    /** helm template against the Kubernetes version the schema checks belong to. */
    static TemplateCommand template() {
        return new Helm(CHART).template().withName("quiver").withNamespace("events")
                .withKubeVersion(KubernetesSchema.VERSION + ".0");
    }

    static List<JsonNode> kind(List<JsonNode> documents, String kind) {
        return documents.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
    }

    @Test
    void lintsStrictly() {
        LintResult result = new Helm(CHART).lint().strict().call();
        assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
    }

    @Test
    void thereAreValueSetsForTheMainShapes() throws IOException {
        assertThat(valueSets().map(p -> p.getFileName().toString()))
                .contains("default-values.yaml", "dev-values.yaml", "production-values.yaml", "cluster-values.yaml");
    }

    @Test
    void theRedisTopologyAndReplicaWaitReachEveryService() {
        JsonNode cluster = kind(render(CHART.resolve("ci/cluster-values.yaml")), "ConfigMap").get(0).path("data");
        assertThat(cluster.path("QUARKUS_REDIS_CLIENT_TYPE").asText()).isEqualTo("cluster");
        assertThat(cluster.path("QUARKUS_REDIS_READER_CLIENT_TYPE").asText()).isEqualTo("cluster");
        assertThat(cluster.path("QUIVER_INGEST_WAIT_REPLICAS").asText()).isEqualTo("1");
        assertThat(cluster.path("QUIVER_INGEST_WAIT_TIMEOUT").asText()).isEqualTo("500ms");
        JsonNode sentinel = kind(render(CHART.resolve("ci/production-values.yaml")), "ConfigMap").get(0)
                .path("data");
        assertThat(sentinel.path("QUARKUS_REDIS_CLIENT_TYPE").asText()).isEqualTo("sentinel");
        assertThat(sentinel.path("QUARKUS_REDIS_READER_MASTER_NAME").asText()).isEqualTo("quiver");
        JsonNode standalone = kind(render(CHART.resolve("ci/default-values.yaml")), "ConfigMap").get(0).path("data");
        assertThat(standalone.has("QUIVER_INGEST_WAIT_REPLICAS")).as("no replica wait by default").isFalse();
    }

    @Test
    void everyValueIsDocumentedByAParamLineAndEveryParamLineNamesAValue() {
        String text = Repo.read(CHART.resolve("values.yaml"));
        Set<String> params = new HashSet<>();
        Matcher m = Pattern.compile("(?m)^\\s*## @param (\\S+) \\S").matcher(text);
        while (m.find()) {
            params.add(m.group(1));
        }
        JsonNode values = Repo.documents(text).get(0);
        List<String> undocumented = new ArrayList<>();
        collect(values, "", params, undocumented);
        assertThat(undocumented).as("values without a ## @param line").isEmpty();
        for (String param : params) {
            assertThat(values.at("/" + param.replace('.', '/')).isMissingNode()).as("@param " + param).isFalse();
        }
    }

    /** A value is documented by its own @param or by one of an enclosing object. */
    private static void collect(JsonNode node, String path, Set<String> params, List<String> undocumented) {
        if (!path.isEmpty() && params.contains(path)) {
            return;
        }
        if (node.isObject() && !node.isEmpty()) {
            node.fields().forEachRemaining(e -> collect(e.getValue(), path.isEmpty()
                    ? e.getKey()
                    : path + "." + e.getKey(), params, undocumented));
        } else {
            undocumented.add(path);
        }
    }

    @ParameterizedTest
    @MethodSource("valueSets")
    void everyObjectMatchesTheKubernetesSchema(Path values) {
        List<JsonNode> documents = render(values);
        assertThat(documents).isNotEmpty();
        for (JsonNode document : documents) {
            if (CustomResources.knows(document)) {
                CustomResources.validate(document);
            } else {
                KubernetesSchema.validate(document);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("valueSets")
    void everyContainerIsProbedBoundedNonRootAndPinned(Path values) {
        for (JsonNode deployment : kind(render(values), "Deployment")) {
            JsonNode pod = deployment.path("spec").path("template").path("spec");
            for (JsonNode container : pod.path("containers")) {
                String where = KubernetesSchema.name(deployment) + "/" + container.path("name").asText();
                assertThat(container.has("livenessProbe")).as(where + " liveness").isTrue();
                assertThat(container.has("readinessProbe")).as(where + " readiness").isTrue();
                assertThat(container.path("resources").path("requests").isEmpty()).as(where + " requests").isFalse();
                assertThat(container.path("resources").path("limits").isEmpty()).as(where + " limits").isFalse();
                boolean nonRoot = container.path("securityContext").path("runAsNonRoot").asBoolean(false)
                        || pod.path("securityContext").path("runAsNonRoot").asBoolean(false);
                assertThat(nonRoot).as(where + " runAsNonRoot").isTrue();
                assertThat(container.path("securityContext").path("allowPrivilegeEscalation").asBoolean(true))
                        .as(where + " allowPrivilegeEscalation").isFalse();
                String image = container.path("image").asText();
                assertThat(image).as(where + " image").matches(".+:[^:/]+").doesNotEndWith(":latest");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("valueSets")
    void theEdgeOutlivesItsDrainWindow(Path values) {
        JsonNode edge = kind(render(values), "Deployment").stream()
                .filter(d -> KubernetesSchema.name(d).endsWith("stream-edge")).findFirst().orElseThrow();
        JsonNode pod = edge.path("spec").path("template").path("spec");
        JsonNode container = pod.path("containers").get(0);
        long drain = 0;
        for (JsonNode env : container.path("env")) {
            if ("QUIVER_EDGE_DRAIN_WINDOW".equals(env.path("name").asText())) {
                drain = Long.parseLong(env.path("value").asText().replace("s", ""));
            }
        }
        long preStop = Long.parseLong(container.path("lifecycle").path("preStop").path("exec").path("command").get(1)
                .asText());
        assertThat(drain).isPositive();
        assertThat(pod.path("terminationGracePeriodSeconds").asLong()).isGreaterThan(preStop + drain);
    }

    @ParameterizedTest
    @MethodSource("valueSets")
    void selectorsMatchPodLabels(Path values) {
        List<JsonNode> documents = render(values);
        List<Map<String, String>> podLabels = new ArrayList<>();
        for (JsonNode deployment : kind(documents, "Deployment")) {
            Map<String, String> labels = map(deployment.path("spec").path("template").path("metadata").path("labels"));
            assertThat(labels).as(KubernetesSchema.name(deployment) + " selects its own pods")
                    .containsAllEntriesOf(map(deployment.path("spec").path("selector").path("matchLabels")));
            podLabels.add(labels);
        }
        List<Map<String, String>> selectors = new ArrayList<>();
        kind(documents, "Service").forEach(s -> selectors.add(map(s.path("spec").path("selector"))));
        kind(documents, "PodDisruptionBudget").forEach(p -> selectors.add(map(p.path("spec").path("selector")
                .path("matchLabels"))));
        kind(documents, "NetworkPolicy").forEach(p -> selectors.add(map(p.path("spec").path("podSelector")
                .path("matchLabels"))));
        kind(documents, "ServiceMonitor").forEach(m -> selectors.add(map(m.path("spec").path("selector")
                .path("matchLabels"))));
        for (Map<String, String> selector : selectors) {
            assertThat(podLabels.stream().anyMatch(labels -> labels.entrySet().containsAll(selector.entrySet())))
                    .as("some pods carry " + selector).isTrue();
        }
        for (JsonNode hpa : kind(documents, "HorizontalPodAutoscaler")) {
            String target = hpa.path("spec").path("scaleTargetRef").path("name").asText();
            assertThat(kind(documents, "Deployment")).extracting(KubernetesSchema::name).contains(target);
        }
    }

    @Test
    void optionalObjectsAppearOnlyWhenEnabled() {
        List<JsonNode> minimal = render(CHART.resolve("ci/default-values.yaml"));
        assertThat(kind(minimal, "HorizontalPodAutoscaler")).isEmpty();
        assertThat(kind(minimal, "ServiceMonitor")).isEmpty();
        assertThat(kind(minimal, "NetworkPolicy")).isEmpty();
        assertThat(kind(minimal, "Ingress")).isEmpty();
        assertThat(kind(minimal, "HTTPRoute")).isEmpty();
        assertThat(kind(minimal, "PodDisruptionBudget")).hasSize(3);

        List<JsonNode> dev = render(CHART.resolve("ci/dev-values.yaml"));
        assertThat(kind(dev, "PodDisruptionBudget")).as("one replica each: nothing to keep available").isEmpty();
        assertThat(kind(dev, "Deployment")).extracting(KubernetesSchema::name).contains("quiver-redis");

        List<JsonNode> production = render(CHART.resolve("ci/production-values.yaml"));
        assertThat(kind(production, "HorizontalPodAutoscaler")).hasSize(1);
        assertThat(kind(production, "ServiceMonitor")).hasSize(3);
        assertThat(kind(production, "NetworkPolicy")).hasSize(3);
        assertThat(kind(production, "Ingress")).hasSize(1);
        assertThat(kind(production, "HTTPRoute")).hasSize(1);
        JsonNode edge = kind(production, "Deployment").stream()
                .filter(d -> KubernetesSchema.name(d).endsWith("stream-edge")).findFirst().orElseThrow();
        assertThat(edge.path("spec").has("replicas")).as("the HPA owns the replica count").isFalse();
    }

    @Test
    void mistakesAreRefusedAtRenderTime() {
        Path values = CHART.resolve("ci/default-values.yaml");
        assertThatThrownBy(() -> template().withValuesFile(values)
                .set("auth.jwt.jwksUrl", "https://issuer.example.com/jwks").call()).hasMessageContaining("issuer");
        assertThatThrownBy(() -> template().withValuesFile(values)
                .set("edge.terminationGracePeriodSeconds", 20).call()).hasMessageContaining("terminationGrace");
        assertThatThrownBy(() -> template().withValuesFile(values)
                .set("image.tag", "latest").call()).hasMessageContaining("/image/tag");
        assertThatThrownBy(() -> template().call()).hasMessageContaining(
                "redis.url");
        String big = template().withValuesFile(values)
                .set("edge.maxConnections", 1000000).call();
        assertThat(big).contains("value: \"1000000\"");
        assertThatThrownBy(() -> template().withValuesFile(values).set("edge.recentMemory", "lots").call())
                .hasMessageContaining("recentMemory");
        assertThat(template().withValuesFile(values).set("edge.recentMemory", "0").call())
                .contains("name: QUIVER_EDGE_RECENT_MEMORY\n              value: \"0\"");
    }

    @Test
    void theExtensionPointsReachTheObjectsTheyAreFor() {
        List<JsonNode> documents = render(CHART.resolve("ci/extension-values.yaml"));
        Map<String, JsonNode> deployments = new HashMap<>();
        kind(documents, "Deployment").forEach(d -> deployments.put(KubernetesSchema.name(d), d));
        JsonNode ingest = deployments.get("quiver-event-ingest").path("spec").path("template");
        JsonNode edge = deployments.get("quiver-stream-edge").path("spec").path("template");
        JsonNode snapshot = deployments.get("quiver-snapshot-api").path("spec").path("template");
        assertThat(ingest.at("/spec/containers/0/image").asText()).isEqualTo(
                "mirror.example.com/quiver/event-ingest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
        assertThat(edge.at("/spec/containers/0/image").asText())
                .isEqualTo("registry.example.com/platform/quiver/stream-edge:0.1.0");
        assertThat(snapshot.at("/spec/containers/0/image").asText())
                .isEqualTo("registry.example.com/platform/quiver/snapshot-api:0.1.1");
        assertThat(ingest.at("/metadata/labels/team").asText()).isEqualTo("payments");
        assertThat(ingest.at("/spec/priorityClassName").asText()).isEqualTo("business-critical");
        assertThat(ingest.at("/spec/containers/0/envFrom/1/secretRef/name").asText()).isEqualTo("ingest-extra");
        assertThat(ingest.at("/spec/containers/0/env").findValues("secretKeyRef")).extracting(n -> n.path("name")
                .asText()).contains("redis-auth");
        assertThat(edge.at("/spec/volumes").findValuesAsText("name")).contains("tmp", "corporate-ca");
        assertThat(edge.at("/spec/containers/0/volumeMounts").findValuesAsText("mountPath"))
                .contains("/etc/pki/corporate");
        assertThat(edge.at("/spec/initContainers/0/name").asText()).isEqualTo("wait-for-redis");
        assertThat(edge.at("/spec/containers").findValuesAsText("name")).contains("stream-edge", "log-shipper");

        List<JsonNode> hpas = kind(documents, "HorizontalPodAutoscaler");
        assertThat(hpas).extracting(KubernetesSchema::name).containsExactlyInAnyOrder("quiver-event-ingest",
                "quiver-stream-edge", "quiver-snapshot-api");
        for (JsonNode hpa : hpas) {
            String name = KubernetesSchema.name(hpa);
            assertThat(deployments.get(name).path("spec").has("replicas")).as(name + ": the HPA owns replicas")
                    .isFalse();
        }
        JsonNode ingestHpa = hpas.stream().filter(h -> KubernetesSchema.name(h).equals("quiver-event-ingest"))
                .findFirst().orElseThrow();
        assertThat(ingestHpa.at("/spec/behavior/scaleUp/stabilizationWindowSeconds").asInt()).isZero();
        assertThat(ingestHpa.at("/spec/metrics/0/resource/target/averageUtilization").asInt()).isEqualTo(60);
        JsonNode edgeHpa = hpas.stream().filter(h -> KubernetesSchema.name(h).equals("quiver-stream-edge"))
                .findFirst().orElseThrow();
        assertThat(edgeHpa.at("/spec/behavior/scaleDown/policies/0/value").asInt()).as("the slow scale-in default")
                .isEqualTo(1);
        assertThat(edgeHpa.at("/spec/metrics").findValuesAsText("name")).contains("cpu",
                "quiver_edge_fanout_lag_seconds");
        JsonNode snapshotHpa = hpas.stream().filter(h -> KubernetesSchema.name(h).equals("quiver-snapshot-api"))
                .findFirst().orElseThrow();
        assertThat(snapshotHpa.at("/spec/metrics").findValuesAsText("name")).containsExactly("memory");

        for (JsonNode monitor : kind(documents, "ServiceMonitor")) {
            assertThat(monitor.at("/spec/endpoints/0/scrapeTimeout").asText()).isEqualTo("10s");
            assertThat(monitor.at("/spec/endpoints/0/relabelings/0/targetLabel").asText()).isEqualTo("node");
            assertThat(monitor.at("/spec/endpoints/0/metricRelabelings/0/action").asText()).isEqualTo("drop");
        }
    }

    @Test
    void alertsAndTheDashboardAreBehindFlags() throws IOException {
        List<JsonNode> minimal = render(CHART.resolve("ci/default-values.yaml"));
        assertThat(kind(minimal, "PrometheusRule")).isEmpty();
        assertThat(kind(minimal, "ConfigMap")).hasSize(1);
        List<JsonNode> production = render(CHART.resolve("ci/production-values.yaml"));
        JsonNode rule = kind(production, "PrometheusRule").get(0);
        assertThat(rule.at("/spec/groups/0/rules").findValuesAsText("alert")).containsExactly("QuiverEdgeReaderDown",
                "QuiverFanoutLagHigh", "QuiverSlowConsumerCloses", "QuiverIngestErrors", "QuiverSnapshotErrors",
                "QuiverEdgeRefusing", "QuiverEdgeNearMaxConnections", "QuiverResetsExpired");
        for (JsonNode alert : rule.at("/spec/groups/0/rules")) {
            assertThat(alert.path("expr").asText()).as(alert.path("alert").asText()).contains("namespace=\"events\"")
                    .doesNotContain("{{");
            assertThat(alert.at("/annotations/summary").asText()).contains("{{");
        }
        JsonNode dashboard = kind(production, "ConfigMap").stream()
                .filter(c -> KubernetesSchema.name(c).endsWith("-dashboard")).findFirst().orElseThrow();
        assertThat(dashboard.at("/metadata/labels/grafana_dashboard").asText()).isEqualTo("1");
        JsonNode json = Repo.JSON.readTree(dashboard.at("/data/quiver.json").asText());
        assertThat(json.path("uid").asText()).isEqualTo("quiver-overview");
        assertThat(json.path("panels").findValuesAsText("expr")).isNotEmpty();
    }

    @Test
    void theBrokerIsOneValueAndNatsTakesItsUrlAndCredentialsFromAnExistingSecret() {
        List<JsonNode> documents = render(CHART.resolve("ci/nats-values.yaml"));
        JsonNode data = kind(documents, "ConfigMap").get(0).path("data");
        assertThat(data.path("QUIVER_BROKER").asText()).isEqualTo("nats");
        assertThat(data.path("QUIVER_NATS_URL").asText()).startsWith("nats://nats-0.nats:4222,");
        assertThat(data.path("QUIVER_NATS_REPLICAS").asText()).isEqualTo("3");
        assertThat(data.has("QUARKUS_REDIS_HOSTS")).as("no Redis settings on NATS").isFalse();
        for (JsonNode deployment : kind(documents, "Deployment")) {
            JsonNode pod = deployment.at("/spec/template/spec");
            JsonNode container = pod.path("containers").get(0);
            assertThat(container.path("env").findValuesAsText("name")).contains("QUIVER_NATS_CREDENTIALS");
            assertThat(container.path("volumeMounts").findValuesAsText("mountPath")).contains("/etc/quiver/nats");
            assertThat(pod.path("volumes").findValuesAsText("secretName")).contains("quiver-nats");
        }
        assertThat(kind(render(CHART.resolve("ci/default-values.yaml")), "ConfigMap").get(0)
                .at("/data/QUIVER_BROKER").asText()).isEqualTo("redis");
        assertThatThrownBy(() -> template().withValuesFile(CHART.resolve("ci/default-values.yaml"))
                .set("broker", "nats").call()).hasMessageContaining("nats.url");
        assertThatThrownBy(() -> template().withValuesFile(CHART.resolve("ci/default-values.yaml"))
                .set("broker", "kafka").call()).hasMessageContaining("broker");
    }

    @Test
    void jsonLogsAreOneValueForEveryService() {
        Path values = CHART.resolve("ci/default-values.yaml");
        assertThat(kind(render(values), "ConfigMap").get(0).at("/data/QUARKUS_LOG_CONSOLE_JSON_ENABLED").asText())
                .isEqualTo("false");
        assertThat(template().withValuesFile(values).set("logs.json", true).call())
                .contains("QUARKUS_LOG_CONSOLE_JSON_ENABLED: \"true\"");
    }

    @Test
    void tracingIsOneValueAndNeedsAnEndpoint() {
        Path values = CHART.resolve("ci/default-values.yaml");
        assertThat(kind(render(values), "ConfigMap").get(0).at("/data/QUARKUS_OTEL_SDK_DISABLED").asText())
                .isEqualTo("true");
        assertThat(template().withValuesFile(values).set("tracing.enabled", true)
                .set("tracing.endpoint", "http://collector:4317").call())
                .contains("QUARKUS_OTEL_SDK_DISABLED: \"false\"")
                .contains("QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT: \"http://collector:4317\"");
        assertThatThrownBy(() -> template().withValuesFile(values).set("tracing.enabled", true).call())
                .hasMessageContaining("tracing.endpoint");
    }

    @Test
    void thereIsNoDefaultImageOnlyAClearMessage() {
        assertThatThrownBy(() -> template().set("redis.url", "redis://r:6379").call())
                .hasMessageContaining("image.repositoryPrefix").hasMessageContaining("docker/Dockerfile");
        assertThatThrownBy(() -> template().withValuesFile(CHART.resolve("ci/default-values.yaml"))
                .set("edge.image.digest", "sha256:short").call()).hasMessageContaining("digest");
    }

    @Test
    void theBrowserClientIsRoutedToTheEdge() {
        List<JsonNode> production = render(CHART.resolve("ci/production-values.yaml"));
        JsonNode ingress = kind(production, "Ingress").get(0);
        assertThat(ingress.at("/spec/rules/0/http/paths").findValuesAsText("path")).contains("/quiver.js", "/quiver");
        JsonNode route = kind(production, "HTTPRoute").get(0);
        assertThat(route.toString()).contains("\"value\":\"/quiver.js\"");
        for (JsonNode rule : route.at("/spec/rules")) {
            if (rule.toString().contains("/quiver.js")) {
                assertThat(rule.at("/backendRefs/0/name").asText()).isEqualTo("quiver-stream-edge");
            }
        }
    }

    @Test
    void presenceIsOffUntilTopicsAreNamedThenEveryServiceGetsTheSameSettings() {
        Path values = CHART.resolve("ci/default-values.yaml");
        assertThat(template().withValuesFile(values).call()).doesNotContain("QUIVER_PRESENCE");
        String on = template().withValuesFile(values).set("presence.topics[0]", "room:*")
                .set("presence.topics[1]", "doc:*").set("presence.timeout", "30s").call();
        assertThat(on).contains("QUIVER_PRESENCE_TOPICS: \"room:*,doc:*\"")
                .contains("QUIVER_PRESENCE_TIMEOUT: \"30s\"").contains("QUIVER_PRESENCE_REFRESH_INTERVAL: \"5s\"")
                .contains("QUIVER_PRESENCE_FLUSH_INTERVAL: \"100ms\"").contains("QUIVER_PRESENCE_POLL_WINDOW: \"35s\"");
        assertThatThrownBy(() -> template().withValuesFile(values).set("presence.topics[0]", "room:*")
                .set("presence.timeout", "soon").call()).hasMessageContaining("timeout");
    }

    @ParameterizedTest
    @MethodSource("valueSets")
    void secretsNeverLandInAConfigMap(Path values) {
        List<JsonNode> documents = render(values);
        assertThat(kind(documents, "Secret")).as("the chart takes secrets from existing Secrets only").isEmpty();
        for (JsonNode configMap : kind(documents, "ConfigMap")) {
            configMap.path("data").fields().forEachRemaining(entry -> {
                assertThat(entry.getKey()).as("a ConfigMap key").doesNotContainIgnoringCase("PASSWORD")
                        .matches(key -> !key.matches(".*(SECRET|KEY|TOKEN)$"), "names no secret");
                assertThat(entry.getValue().asText()).doesNotStartWith("sha256:");
            });
        }
    }

    private static Map<String, String> map(JsonNode node) {
        Map<String, String> map = new HashMap<>();
        node.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
        return map;
    }
}
