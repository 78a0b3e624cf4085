package dev.quiver.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code kubectl kustomize k8s/overlays/<overlay>} renders offline, and what it renders passes the same schema and
 * invariants as the chart. Needs kubectl (with its built-in kustomize, v4 or newer) on the PATH; .ci/run installs it
 * when missing, and the test fails without it.
 */
class KustomizeTest {

    static List<JsonNode> render(String overlay) throws IOException, InterruptedException {
        Process kubectl = new ProcessBuilder("kubectl", "kustomize", Repo.path("k8s/overlays/" + overlay).toString())
                .redirectError(ProcessBuilder.Redirect.PIPE).start();
        String out = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(kubectl.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(kubectl.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(kubectl.exitValue()).as("kubectl kustomize %s: %s", overlay, err).isZero();
        assertThat(err).as("no deprecation warnings").doesNotContain("deprecated");
        return Repo.documents(out);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod", "prod-cluster", "prod-sentinel"})
    void overlaysRenderValidManifests(String overlay) throws Exception {
        List<JsonNode> documents = render(overlay);
        for (JsonNode document : documents) {
            KubernetesSchema.validate(document);
            assertThat(document.path("metadata").path("namespace").asText()).isEqualTo(
                    "dev".equals(overlay) ? "quiver-dev" : "quiver");
        }
        for (JsonNode deployment : HelmChartTest.kind(documents, "Deployment")) {
            JsonNode pod = deployment.path("spec").path("template").path("spec");
            assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
            for (JsonNode container : pod.path("containers")) {
                assertThat(container.has("livenessProbe") && container.has("readinessProbe")).isTrue();
                assertThat(container.path("resources").path("limits").isEmpty()).isFalse();
                assertThat(container.path("image").asText()).matches(".+:[^:/]+").doesNotEndWith(":latest");
                container.path("env").forEach(env -> assertThat(ServiceSettings.understood(env.path("name")
                        .asText())).as(env.path("name").asText()).isTrue());
                String name = container.path("name").asText();
                if (ServiceSettings.PORTS.containsKey(name)) {
                    assertThat(container.path("ports").get(0).path("containerPort").asInt())
                            .isEqualTo(ServiceSettings.PORTS.get(name));
                }
            }
        }
        HelmChartTest.kind(documents, "ConfigMap").forEach(c -> c.path("data").fieldNames().forEachRemaining(
                name -> assertThat(ServiceSettings.understood(name)).as(name).isTrue()));
        List<String> deployments = HelmChartTest.kind(documents, "Deployment").stream().map(KubernetesSchema::name)
                .toList();
        if (overlay.startsWith("prod")) {
            assertThat(deployments).containsExactlyInAnyOrder("event-ingest", "stream-edge", "snapshot-api");
            assertThat(HelmChartTest.kind(documents, "PodDisruptionBudget")).hasSize(3);
            assertThat(HelmChartTest.kind(documents, "HorizontalPodAutoscaler")).hasSize(1);
            assertThat(HelmChartTest.kind(documents, "Deployment").stream()
                    .filter(d -> "stream-edge".equals(KubernetesSchema.name(d))).findFirst().orElseThrow()
                    .path("spec").has("replicas")).as("the HPA owns the edge's replica count").isFalse();
        } else {
            assertThat(deployments).contains("quiver-redis");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cluster", "sentinel"})
    void topologyOverlaysSwitchEveryServiceAndWaitForAReplica(String mode) throws Exception {
        List<JsonNode> documents = render("prod-" + mode);
        JsonNode config = HelmChartTest.kind(documents, "ConfigMap").stream()
                .filter(c -> KubernetesSchema.name(c).startsWith("quiver-config")).findFirst().orElseThrow()
                .path("data");
        assertThat(config.path("QUARKUS_REDIS_CLIENT_TYPE").asText()).isEqualTo(mode);
        assertThat(config.path("QUARKUS_REDIS_HOSTS").asText()).startsWith("redis://").contains(",");
        assertThat(config.path("QUIVER_INGEST_WAIT_REPLICAS").asText()).isEqualTo("1");
        if ("sentinel".equals(mode)) {
            assertThat(config.path("QUARKUS_REDIS_MASTER_NAME").asText()).isNotEmpty();
        }
        // Every service reads the one ConfigMap, so none is left on the default topology.
        String configName = HelmChartTest.kind(documents, "ConfigMap").stream().map(KubernetesSchema::name)
                .filter(name -> name.startsWith("quiver-config")).findFirst().orElseThrow();
        for (JsonNode deployment : HelmChartTest.kind(documents, "Deployment")) {
            for (JsonNode container : deployment.path("spec").path("template").path("spec").path("containers")) {
                assertThat(container.path("envFrom").findValuesAsText("name")).as(KubernetesSchema.name(deployment))
                        .contains(configName);
            }
        }
    }
}
