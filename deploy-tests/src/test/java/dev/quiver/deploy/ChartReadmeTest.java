package dev.quiver.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/** The chart's README is generated from values.yaml's {@code ## @param} lines and must be current. */
class ChartReadmeTest {

    private static final Path CHART = HelmChartTest.CHART;

    @Test
    void theChartReadmeIsCurrent() throws IOException {
        JsonNode chart = Repo.documents(Repo.read(CHART.resolve("Chart.yaml"))).get(0);
        String values = Repo.read(CHART.resolve("values.yaml"));
        String expected = ChartReadme.render(values, chart.path("name").asText(),
                chart.path("description").asText());
        Path readme = CHART.resolve("README.md");
        if (Boolean.getBoolean("quiver.write-readme")) {
            Files.writeString(readme, expected);
        }
        assertThat(Files.exists(readme)).as("helm/quiver/README.md exists").isTrue();
        assertThat(Files.readString(readme)).as("helm/quiver/README.md is generated from values.yaml; run "
                + "mvn -B test -pl deploy-tests -Dtest=ChartReadmeTest -Dquiver.write-readme=true").isEqualTo(expected);
        assertThat(expected).contains("## Presence (docs/presence.md)", "`image.repositoryPrefix`",
                "`edge.extraVolumes`");
        assertThat(ChartReadme.sections(values)).startsWith("Global parameters");
    }
}
