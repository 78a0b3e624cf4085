package dev.quiver.deploy;

import java.util.Iterator;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * ServiceMonitor (monitoring.coreos.com/v1) and HTTPRoute (gateway.networking.k8s.io/v1) are custom resources, absent
 * from the Kubernetes OpenAPI document. They are checked against the fields of their CRD schemas that the chart uses,
 * strictly (an unknown or misspelt field fails), with the types those schemas declare.
 */
final class CustomResources {

    private static final Map<String, Set<String>> FIELDS = Map.of(
            "monitoring.coreos.com/v1/ServiceMonitor", Set.of("apiVersion", "kind", "metadata", "metadata.name",
                    "metadata.labels", "spec", "spec.selector", "spec.selector.matchLabels", "spec.endpoints",
                    "spec.endpoints[].port", "spec.endpoints[].path", "spec.endpoints[].interval",
                    "spec.endpoints[].scrapeTimeout", "spec.endpoints[].relabelings",
                    "spec.endpoints[].metricRelabelings", "spec.endpoints[].relabelings[].sourceLabels",
                    "spec.endpoints[].relabelings[].separator", "spec.endpoints[].relabelings[].targetLabel",
                    "spec.endpoints[].relabelings[].regex", "spec.endpoints[].relabelings[].modulus",
                    "spec.endpoints[].relabelings[].replacement", "spec.endpoints[].relabelings[].action",
                    "spec.endpoints[].metricRelabelings[].sourceLabels",
                    "spec.endpoints[].metricRelabelings[].separator",
                    "spec.endpoints[].metricRelabelings[].targetLabel", "spec.endpoints[].metricRelabelings[].regex",
                    "spec.endpoints[].metricRelabelings[].modulus", "spec.endpoints[].metricRelabelings[].replacement",
                    "spec.endpoints[].metricRelabelings[].action"),
            "monitoring.coreos.com/v1/PrometheusRule", Set.of("apiVersion", "kind", "metadata", "metadata.name",
                    "metadata.labels", "spec", "spec.groups", "spec.groups[].name", "spec.groups[].rules",
                    "spec.groups[].rules[].alert", "spec.groups[].rules[].expr", "spec.groups[].rules[].for",
                    "spec.groups[].rules[].labels", "spec.groups[].rules[].annotations"),
            "gateway.networking.k8s.io/v1/HTTPRoute", Set.of("apiVersion", "kind", "metadata", "metadata.name",
                    "metadata.labels", "spec", "spec.parentRefs", "spec.parentRefs[].name",
                    "spec.parentRefs[].namespace", "spec.parentRefs[].sectionName", "spec.hostnames", "spec.rules",
                    "spec.rules[].matches", "spec.rules[].matches[].path", "spec.rules[].matches[].path.type",
                    "spec.rules[].matches[].path.value", "spec.rules[].matches[].method", "spec.rules[].timeouts",
                    "spec.rules[].timeouts.request", "spec.rules[].backendRefs", "spec.rules[].backendRefs[].name",
                    "spec.rules[].backendRefs[].port"));

    /** Maps below these paths hold user data (label values), not schema fields. */
    private static final Set<String> FREE_FORM = Set.of("metadata.labels", "spec.selector.matchLabels",
            "spec.groups[].rules[].labels", "spec.groups[].rules[].annotations");

    private CustomResources() {
    }

    static boolean knows(JsonNode manifest) {
        return FIELDS.containsKey(KubernetesSchema.key(manifest));
    }

    static void validate(JsonNode manifest) {
        Set<String> allowed = FIELDS.get(KubernetesSchema.key(manifest));
        walk(manifest, "", allowed, KubernetesSchema.key(manifest));
        if (manifest.path("metadata").path("name").asText().isEmpty()) {
            throw new IllegalArgumentException(KubernetesSchema.key(manifest) + ": metadata.name is required");
        }
        manifest.path("spec").path("rules").forEach(rule -> rule.path("backendRefs").forEach(ref -> {
            if (!ref.path("port").isInt()) {
                throw new IllegalArgumentException("HTTPRoute backendRefs[].port must be an integer");
            }
        }));
    }

    private static void walk(JsonNode node, String path, Set<String> allowed, String kind) {
        if (FREE_FORM.contains(path)) {
            node.fields().forEachRemaining(e -> {
                if (!e.getValue().isTextual()) {
                    throw new IllegalArgumentException(kind + ": " + path + "." + e.getKey() + " must be a string");
                }
            });
            return;
        }
        if (node.isArray()) {
            node.forEach(item -> walk(item, path + "[]", allowed, kind));
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            String child = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
            if (!allowed.contains(child)) {
                throw new IllegalArgumentException(kind + ": unknown field " + child);
            }
            walk(field.getValue(), child, allowed, kind);
        }
    }
}
