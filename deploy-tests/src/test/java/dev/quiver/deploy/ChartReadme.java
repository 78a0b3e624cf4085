package dev.quiver.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * helm/quiver/README.md, generated from the {@code ## @section} and {@code ## @param} lines of values.yaml (the
 * bitnami readme-generator's format) and the defaults they document, so that the chart's reference can never drift
 * from its values. {@link ChartReadmeTest} fails when the file is not current and rewrites it on request.
 */
final class ChartReadme {

    private static final Pattern LINE = Pattern.compile("(?m)^\\s*## @(section|param) (.+)$");

    private ChartReadme() {
    }

    static String render(String valuesYaml, String chartName, String description) {
        JsonNode values = Repo.documents(valuesYaml).get(0);
        StringBuilder out = new StringBuilder();
        out.append("# ").append(chartName).append(" Helm chart\n\n")
                .append("<!-- Generated from values.yaml by deploy-tests (ChartReadmeTest): edit the ## @param lines"
                        + " there, then run\n     mvn -B test -pl deploy-tests -Dtest=ChartReadmeTest"
                        + " -Dquiver.write-readme=true -->\n\n")
                .append(description.trim()).append("\n\n")
                .append("Install, configuration the services read, sizing and upgrades: [docs/deploy.md]"
                        + "(../../docs/deploy.md). Every value is checked by `values.schema.json`.\n");
        Matcher matcher = LINE.matcher(valuesYaml);
        boolean tableOpen = false;
        while (matcher.find()) {
            if (matcher.group(1).equals("section")) {
                out.append("\n## ").append(matcher.group(2).trim()).append("\n\n");
                tableOpen = false;
                continue;
            }
            if (!tableOpen) {
                out.append("| Name | Description | Default |\n| --- | --- | --- |\n");
                tableOpen = true;
            }
            String text = matcher.group(2).trim();
            int space = text.indexOf(' ');
            String name = text.substring(0, space);
            String meaning = text.substring(space + 1).trim();
            out.append("| `").append(name).append("` | ").append(cell(meaning)).append(" | ")
                    .append(defaultOf(values, name)).append(" |\n");
        }
        return out.toString();
    }

    /** The default as compact JSON in code; an empty string, list or object shows as such. */
    private static String defaultOf(JsonNode values, String name) {
        JsonNode node = values.at("/" + name.replace('.', '/'));
        if (node.isMissingNode() || node.isNull()) {
            return "";
        }
        try {
            String text = node.isTextual() ? "\"" + node.asText() + "\"" : Repo.JSON.writeValueAsString(node);
            return "`" + cell(text) + "`";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String cell(String text) {
        return text.replace("|", "\\|");
    }

    /** The sections, in order, for checks. */
    static List<String> sections(String valuesYaml) {
        List<String> sections = new ArrayList<>();
        Matcher matcher = LINE.matcher(valuesYaml);
        while (matcher.find()) {
            if (matcher.group(1).equals("section")) {
                sections.add(matcher.group(2).trim());
            }
        }
        return sections;
    }
}
