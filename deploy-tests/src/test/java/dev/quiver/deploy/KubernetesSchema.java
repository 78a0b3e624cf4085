package dev.quiver.deploy;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;

/**
 * Validates manifests against the Kubernetes 1.32 API schema, strictly: the models of
 * {@code io.kubernetes:client-java-api} 24.0.0 are generated from that version's OpenAPI document, and their
 * {@code fromJson} rejects unknown fields, missing required fields and values of the wrong type at any depth.
 * <p>
 * Custom resources (ServiceMonitor, HTTPRoute) are not part of that document; {@link CustomResources} checks them.
 */
final class KubernetesSchema {

    /** The Kubernetes version the schema belongs to. */
    static final String VERSION = "1.32";

    private static final Map<String, Class<?>> MODELS = Map.ofEntries(
            Map.entry("apps/v1/Deployment", V1Deployment.class),
            Map.entry("v1/Service", V1Service.class),
            Map.entry("v1/ConfigMap", V1ConfigMap.class),
            Map.entry("v1/Secret", V1Secret.class),
            Map.entry("v1/Namespace", V1Namespace.class),
            Map.entry("v1/ServiceAccount", V1ServiceAccount.class),
            Map.entry("autoscaling/v2/HorizontalPodAutoscaler", V2HorizontalPodAutoscaler.class),
            Map.entry("policy/v1/PodDisruptionBudget", V1PodDisruptionBudget.class),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", V1NetworkPolicy.class),
            Map.entry("networking.k8s.io/v1/Ingress", V1Ingress.class));

    static {
        // The models' static validators need the JSON adapters registered first.
        new JSON();
    }

    private KubernetesSchema() {
    }

    static boolean knows(JsonNode manifest) {
        return MODELS.containsKey(key(manifest));
    }

    /** Throws {@link IllegalArgumentException} naming the first violation. */
    static void validate(JsonNode manifest) {
        Class<?> model = MODELS.get(key(manifest));
        if (model == null) {
            throw new IllegalArgumentException("no schema for " + key(manifest));
        }
        try {
            Method fromJson = model.getMethod("fromJson", String.class);
            fromJson.invoke(null, manifest.toString());
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            throw new IllegalArgumentException(key(manifest) + " " + name(manifest) + ": " + cause.getMessage(), cause);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    static String key(JsonNode manifest) {
        return manifest.path("apiVersion").asText() + "/" + manifest.path("kind").asText();
    }

    static String name(JsonNode manifest) {
        return manifest.path("metadata").path("name").asText();
    }

}
