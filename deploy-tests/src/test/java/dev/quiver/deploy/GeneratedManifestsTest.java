package dev.quiver.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The manifests quarkus-kubernetes generates at package time agree with the Helm chart: same port, probe paths,
 * resources and user; valid against the Kubernetes schema; and free of build timestamps.
 */
class GeneratedManifestsTest {

    private static final List<JsonNode> CHART = HelmChartTest.render(HelmChartTest.CHART.resolve(
            "ci/default-values.yaml"));

    @ParameterizedTest
    @ValueSource(strings = {"event-ingest", "stream-edge", "snapshot-api"})
    void agreesWithTheChart(String module) {
        Path file = Repo.path(module + "/target/kubernetes/kubernetes.yml");
        String yaml = Repo.read(file);
        assertThat(yaml).as("reproducible: no build timestamp").doesNotContain("build-timestamp");
        List<JsonNode> generated = Repo.documents(yaml);
        for (JsonNode document : generated) {
            if (KubernetesSchema.knows(document)) {
                KubernetesSchema.validate(document);
            }
        }
        JsonNode ours = container(HelmChartTest.kind(generated, "Deployment").get(0));
        JsonNode chart = container(HelmChartTest.kind(CHART, "Deployment").stream()
                .filter(d -> KubernetesSchema.name(d).endsWith(module)).findFirst().orElseThrow());

        int port = ServiceSettings.PORTS.get(module);
        assertThat(ours.path("ports").get(0).path("containerPort").asInt()).isEqualTo(port);
        assertThat(chart.path("ports").get(0).path("containerPort").asInt()).isEqualTo(port);
        for (String probe : new String[]{"livenessProbe", "readinessProbe", "startupProbe"}) {
            assertThat(ours.path(probe).path("httpGet").path("path").asText()).as(module + " " + probe)
                    .isEqualTo(chart.path(probe).path("httpGet").path("path").asText()).startsWith("/q/health/");
        }
        assertThat(ours.path("resources")).as(module + " resources").isEqualTo(chart.path("resources"));
        for (JsonNode env : ours.path("env")) {
            String name = env.path("name").asText();
            assertThat(ServiceSettings.understood(name) || "KUBERNETES_NAMESPACE".equals(name))
                    .as(module + " sets " + name).isTrue();
        }
        JsonNode pod = HelmChartTest.kind(generated, "Deployment").get(0).path("spec").path("template").path("spec");
        assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(pod.path("securityContext").path("runAsUser").asInt()).isEqualTo(10001);
        JsonNode chartPod = HelmChartTest.kind(CHART, "Deployment").stream()
                .filter(d -> KubernetesSchema.name(d).endsWith(module)).findFirst().orElseThrow().path("spec")
                .path("template").path("spec");
        assertThat(pod.path("terminationGracePeriodSeconds").isInt()).as(module + " grace period").isTrue();
        assertThat(pod.path("terminationGracePeriodSeconds")).isEqualTo(chartPod.path("terminationGracePeriodSeconds"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"event-ingest", "stream-edge", "snapshot-api"})
    void theChartSetsOnlySettingsTheServicesRead(String module) {
        JsonNode deployment = HelmChartTest.kind(CHART, "Deployment").stream()
                .filter(d -> KubernetesSchema.name(d).endsWith(module)).findFirst().orElseThrow();
        for (JsonNode env : container(deployment).path("env")) {
            assertThat(ServiceSettings.understood(env.path("name").asText())).as(env.path("name").asText()).isTrue();
        }
        Map<String, String> config = new HashMap<>();
        HelmChartTest.kind(HelmChartTest.render(HelmChartTest.CHART.resolve("ci/production-values.yaml")),
                "ConfigMap").stream()
                // The dashboard's ConfigMap is for Grafana, not a service's environment.
                .filter(c -> !c.path("metadata").path("name").asText().endsWith("-dashboard"))
                .forEach(c -> c.path("data").fields().forEachRemaining(e -> config.put(e.getKey(),
                        e.getValue().asText())));
        assertThat(config).isNotEmpty();
        config.keySet().forEach(name -> assertThat(ServiceSettings.understood(name)).as(name).isTrue());
    }

    private static JsonNode container(JsonNode deployment) {
        return deployment.path("spec").path("template").path("spec").path("containers").get(0);
    }
}
