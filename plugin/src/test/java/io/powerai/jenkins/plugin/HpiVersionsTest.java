package io.powerai.jenkins.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * pom-hpi.xml names the versions that plugin/README.md says were checked against jenkinsci/bom's and
 * jenkinsci/plugin-pom's release tags (the Jenkins repository cannot be reached here to resolve them).
 */
class HpiVersionsTest {
    private static String first(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        assertThat(m.find()).as(pattern.pattern()).isTrue();
        return m.group(1);
    }

    @Test
    void theBomTheParentAndJenkins_areTheCheckedOnes() throws Exception {
        String pom = Files.readString(Path.of("pom-hpi.xml"));
        String readme = Files.readString(Path.of("README.md"));
        String bom = first(Pattern.compile("<artifactId>bom-\\$\\{jenkins.baseline}.x</artifactId>\\s*(?:<!--.*?-->\\s*)?<version>([^<]+)</version>",
                Pattern.DOTALL), pom);
        String parent = first(Pattern.compile("<artifactId>plugin</artifactId>\\s*<version>([^<]+)</version>"), pom);
        String baseline = first(Pattern.compile("<jenkins.baseline>([^<]+)</jenkins.baseline>"), pom);
        String jenkins = first(Pattern.compile("<jenkins.version>([^<]+)</jenkins.version>"), pom).replace("${jenkins.baseline}", baseline);

        assertThat(bom).as("a continuous-delivery release: commit count, .v, abbreviated commit").matches("[0-9]+\\.v[0-9a-f_]+");
        assertThat(readme).contains("BOM " + bom).contains("release tag is `" + bom + "`").contains("parent " + parent)
                .contains("Jenkins " + jenkins).contains("`jenkins.version` " + jenkins).contains("`bom-" + baseline + ".x`");
    }
}
