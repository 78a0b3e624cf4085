package dev.quiver.deploy;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The validator itself: it must refuse what a strict API server would. */
class KubernetesSchemaTest {

    private static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: x}
            spec:
              replicas: %s
              selector: {matchLabels: {a: b}}
              template:
                metadata: {labels: {a: b}}
                spec:
                  containers:
                    - name: c
                      image: i:1
                      %s
            """;

    @Test
    void aValidDeploymentPasses() {
        assertThatCode(() -> KubernetesSchema.validate(Repo.documents(DEPLOYMENT.formatted("2", "")).get(0)))
                .doesNotThrowAnyException();
    }

    @Test
    void unknownFieldsWrongTypesAndMissingFieldsFail() {
        assertThatThrownBy(() -> KubernetesSchema.validate(Repo.documents(DEPLOYMENT.formatted("2",
                "imagePulPolicy: Always")).get(0))).hasMessageContaining("imagePulPolicy");
        assertThatThrownBy(() -> KubernetesSchema.validate(Repo.documents(DEPLOYMENT.formatted("two", "")).get(0)))
                .isInstanceOf(RuntimeException.class);
        assertThatThrownBy(() -> KubernetesSchema.validate(Repo.documents(DEPLOYMENT.formatted("2",
                "ports: {containerPort: 80}")).get(0))).isInstanceOf(RuntimeException.class);
        assertThatThrownBy(() -> KubernetesSchema.validate(Repo.documents("""
                apiVersion: v1
                kind: Service
                metadata: {name: s}
                spec:
                  ports:
                    - targetPort: 80
                """).get(0))).hasMessageContaining("port");
    }
}
