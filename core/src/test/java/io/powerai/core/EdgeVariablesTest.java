package io.powerai.core;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Credentials and build information are read once, at the edge (the CLI's EnvironmentVariables), and reach the core as
 * typed values (BuildInfo, registry Credentials, ClusterCredentials, the SigningKey): no main source of the core calls
 * System.getenv or looks one of those variables up in a map of the environment. What the core may still read from a
 * map its face hands it is the tool's own process environment: where the engines keep their logins (HOME,
 * DOCKER_CONFIG, REGISTRY_AUTH_FILE, XDG_RUNTIME_DIR), which binaries to run (PATH, POWERAI_NVIDIA_SMI).
 */
class EdgeVariablesTest {
    /** The variables the CLI reads for the core (Jenkins' build variables and every credential binding's). */
    static final List<String> EDGE_VARIABLES = List.of("JOB_NAME", "BUILD_TAG", "BUILD_URL", "BUILD_NUMBER",
            "POWERAI_REGISTRY_USERNAME", "POWERAI_REGISTRY_PASSWORD", "KUBECONFIG", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET",
            "AZURE_TENANT_ID", "AZURE_SUBSCRIPTION_ID", "POWERAI_AZ", "POWERAI_SIGNING_KEY");

    private static final Pattern LOOKUP = Pattern.compile("\\.(?:get|getOrDefault|containsKey)\\(\\s*\"(" + String.join("|", EDGE_VARIABLES) + ")\"");

    static List<String> violations(Path sources) throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                String text = Files.readString(file);
                if (text.contains("System.getenv")) {
                    found.add(sources.relativize(file) + ": System.getenv");
                }
                Matcher m = LOOKUP.matcher(text);
                while (m.find()) {
                    found.add(sources.relativize(file) + ": reads " + m.group(1));
                }
            }
        }
        return found;
    }

    @Test
    void theCoreReadsNoCredentialAndNoBuildVariable() throws IOException {
        assertThat(violations(Path.of("src/main/java"))).isEmpty();
    }

    @Test
    void theScan_findsAVariableLookedUpAndGetenv(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("A.java"), "class A { String t(java.util.Map<String, String> env) { return env.get(\"BUILD_TAG\"); } }");
        Files.writeString(dir.resolve("B.java"), "class B { String k() { return System.getenv(\"HOME\"); } }");
        Files.writeString(dir.resolve("C.java"), "class C { String m = \"set POWERAI_REGISTRY_USERNAME\"; }");

        assertThat(violations(dir)).containsExactly("A.java: reads BUILD_TAG", "B.java: System.getenv");
    }
}
