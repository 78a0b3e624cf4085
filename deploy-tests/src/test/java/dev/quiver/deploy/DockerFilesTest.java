package dev.quiver.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * No Docker engine runs here, so the Dockerfile and the compose file are checked against the services instead: ports,
 * health paths, environment variable names, non-root users, pinned images.
 */
class DockerFilesTest {

    private static final String DOCKERFILE = Repo.read(Repo.path("docker/Dockerfile"));
    private static final JsonNode COMPOSE = Repo.documents(Repo.read(Repo.path("docker/compose.yaml"))).get(0);

    @Test
    void theDockerfileRunsThePackagedApplicationAsNonRootFromAPinnedBase() {
        Matcher from = Pattern.compile("(?m)^FROM (\\S+)").matcher(DOCKERFILE);
        assertThat(from.find()).isTrue();
        assertThat(from.group(1)).matches("[^:]+:[^:]+").doesNotEndWith(":latest");
        Matcher user = Pattern.compile("(?m)^USER (\\d+)(?::(\\d+))?$").matcher(DOCKERFILE);
        assertThat(user.find()).as("a numeric USER").isTrue();
        assertThat(Integer.parseInt(user.group(1))).isNotZero();
        assertThat(DOCKERFILE).contains("${SERVICE}/target/quarkus-app/lib/", "${SERVICE}/target/quarkus-app/app/",
                "${SERVICE}/target/quarkus-app/quarkus/", "ENTRYPOINT [\"java\", \"-jar\", \"/app/quarkus-run.jar\"]",
                "EXPOSE ${PORT}", "MaxRAMPercentage");
    }

    @Test
    void composeRunsEveryServiceOnItsOwnPortWithItsHealthPath() {
        Map<String, Integer> seen = new HashMap<>();
        COMPOSE.path("services").fields().forEachRemaining(entry -> {
            JsonNode service = entry.getValue();
            JsonNode build = service.path("build");
            if (build.isMissingNode()) {
                return;
            }
            String module = build.path("args").path("SERVICE").asText();
            int port = ServiceSettings.PORTS.get(module);
            seen.merge(module, 1, Integer::sum);
            assertThat(build.path("dockerfile").asText()).isEqualTo("docker/Dockerfile");
            assertThat(build.path("args").path("PORT").asText()).as(entry.getKey()).isEqualTo(Integer.toString(port));
            assertThat(service.path("healthcheck").path("test").toString()).as(entry.getKey())
                    .contains("/dev/tcp/127.0.0.1/" + port, "/q/health/ready");
            for (JsonNode mapping : service.path("ports")) {
                assertThat(mapping.asText()).as(entry.getKey()).endsWith(":" + port);
            }
            assertThat(service.path("read_only").asBoolean()).as(entry.getKey() + " read-only root").isTrue();
            service.path("environment").fieldNames().forEachRemaining(name -> assertThat(
                    ServiceSettings.understood(name)).as(entry.getKey() + " sets " + name).isTrue());
        });
        assertThat(seen).containsEntry("event-ingest", 1).containsEntry("stream-edge", 2)
                .containsEntry("snapshot-api", 1);
    }

    @Test
    void theClusterOverrideRunsEveryServiceOnASixNodeClusterItWaitsFor() {
        JsonNode cluster = Repo.documents(Repo.read(Repo.path("docker/compose.cluster.yaml"))).get(0)
                .path("services");
        List<String> nodes = new ArrayList<>();
        cluster.fieldNames().forEachRemaining(name -> {
            if (name.startsWith("redis-node-")) {
                nodes.add(name);
                assertThat(cluster.path(name).path("command").toString()).contains("cluster-enabled", "noeviction");
            }
        });
        assertThat(nodes).hasSize(6);
        assertThat(cluster.path("redis-cluster-init").path("command").toString()).contains("--cluster create",
                "--cluster-replicas 1");
        COMPOSE.path("services").fields().forEachRemaining(entry -> {
            if (entry.getValue().path("build").isMissingNode()) {
                return;
            }
            JsonNode service = cluster.path(entry.getKey());
            assertThat(service.path("depends_on").path("redis-cluster-init").path("condition").asText())
                    .as(entry.getKey()).isEqualTo("service_completed_successfully");
            JsonNode environment = service.path("environment");
            assertThat(environment.path("QUARKUS_REDIS_CLIENT_TYPE").asText()).as(entry.getKey()).isEqualTo("cluster");
            assertThat(environment.path("QUARKUS_REDIS_HOSTS").asText()).contains("redis://redis-node-1:6379");
            environment.fieldNames().forEachRemaining(name -> assertThat(ServiceSettings.understood(name))
                    .as(entry.getKey() + " sets " + name).isTrue());
        });
    }

    @Test
    void theNatsOverrideRunsEveryServiceOnAThreeNodeJetStreamClusterItWaitsFor() {
        JsonNode nats = Repo.documents(Repo.read(Repo.path("docker/compose.nats.yaml"))).get(0).path("services");
        for (int node = 1; node <= 3; node++) {
            assertThat(nats.path("nats-" + node).path("command").toString()).as("nats-" + node)
                    .contains("\"-js\"", "--cluster_name", "--routes");
        }
        COMPOSE.path("services").fields().forEachRemaining(entry -> {
            if (entry.getValue().path("build").isMissingNode()) {
                return;
            }
            JsonNode service = nats.path(entry.getKey());
            assertThat(service.path("depends_on").path("nats-1").path("condition").asText()).as(entry.getKey())
                    .isEqualTo("service_healthy");
            JsonNode environment = service.path("environment");
            assertThat(environment.path("QUIVER_BROKER").asText()).as(entry.getKey()).isEqualTo("nats");
            assertThat(environment.path("QUIVER_NATS_URL").asText()).contains("nats://nats-1:4222");
            environment.fieldNames().forEachRemaining(name -> assertThat(ServiceSettings.understood(name))
                    .as(entry.getKey() + " sets " + name).isTrue());
        });
    }

    @Test
    void aMisspeltSettingIsNotTakenForOneTheServicesRead() {
        assertThat(ServiceSettings.understood("QUIVER_EDGE_DRAIN_WINDOW")).isTrue();
        assertThat(ServiceSettings.understood("QUARKUS_REDIS_HOSTS")).isTrue();
        assertThat(ServiceSettings.understood("QUIVER_EDGE_DRAIN_WINDOWS")).isFalse();
        assertThat(ServiceSettings.understood("QUARKUS_REDIS_HOST")).isFalse();
    }

    @Test
    void theEdgeProxyBalancesBothEdgesWithoutBuffering() {
        String proxy = Repo.read(Repo.path("docker/edge-proxy.conf"));
        int edgePort = ServiceSettings.PORTS.get("stream-edge");
        assertThat(proxy).contains("server stream-edge-a:" + edgePort, "server stream-edge-b:" + edgePort,
                "proxy_buffering off", "proxy_set_header Upgrade", "listen " + edgePort);
        JsonNode edge = COMPOSE.path("services").path("stream-edge-a");
        long drain = Long.parseLong(edge.path("environment").path("QUIVER_EDGE_DRAIN_WINDOW").asText()
                .replace("s", ""));
        long grace = Long.parseLong(edge.path("stop_grace_period").asText().replace("s", ""));
        assertThat(grace).isGreaterThan(drain);
    }
}
