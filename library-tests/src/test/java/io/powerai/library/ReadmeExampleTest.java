package io.powerai.library;

import org.junit.Test;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/** The smallest Jenkinsfile of the README ("Use it in Jenkins"), as printed there, runs. */
public class ReadmeExampleTest extends LibraryPipelineTest {

    /** The groovy block of the README's "Use it in Jenkins" section, unindented. */
    static String readmeJenkinsfile() {
        List<String> lines = LibraryDocs.read(LIBRARY_ROOT.resolve("README.md")).lines().toList();
        int section = lines.indexOf("## Use it in Jenkins");
        assertTrue("README.md has a section 'Use it in Jenkins'", section >= 0);
        List<String> block = new ArrayList<>();
        boolean inside = false;
        for (String line : lines.subList(section, lines.size())) {
            if (line.strip().equals("```groovy")) {
                inside = true;
            } else if (inside && line.strip().equals("```")) {
                break;
            } else if (inside) {
                block.add(line.replaceFirst("^ {3}", ""));
            }
        }
        assertFalse("a groovy block in 'Use it in Jenkins'", block.isEmpty());
        return String.join("\n", block) + "\n";
    }

    @Test
    public void smallestJenkinsfile_snapshotsAndTrains() throws Exception {
        String jenkinsfile = readmeJenkinsfile();
        assertTrue("at most 6 lines: " + jenkinsfile, jenkinsfile.lines().count() <= 6);
        Files.writeString(generatedPipelinesDir().resolve("readme.jenkins"), jenkinsfile);

        runScript("readme.jenkins");

        assertEquals(List.of("snapshot", "train"), cliCommands());
        assertEquals(List.of("gpu"), nodeLabels);
        assertTrue(errors.isEmpty());
    }
}
