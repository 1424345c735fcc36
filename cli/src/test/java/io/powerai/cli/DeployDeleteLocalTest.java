package io.powerai.cli;

import io.powerai.core.json.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code powerai deploy delete} with target local, on the real docker engine: the project's container (here a
 * long-running one from the base image, started as a local deployment names and labels it) is stopped and removed,
 * and the removal is recorded in an audit log that still verifies.
 */
class DeployDeleteLocalTest {
    private final String name = "delete-" + UUID.randomUUID().toString().substring(0, 8);
    private final String container = "powerai-" + name;

    @TempDir
    Path project;

    @BeforeEach
    void project() throws IOException {
        LocalInfrastructure.require();
        Files.writeString(project.resolve("powerai.yaml"), "name: " + name + "\ndeploy: {target: local}\n");
    }

    @AfterEach
    void removeContainer() {
        LocalInfrastructure.run("docker", "rm", "-f", container);
    }

    @Test
    void delete_stopsAndRemovesTheContainer_andRecordsIt() throws Exception {
        // With the restart policy a local deployment has: delete must not leave the engine restarting it.
        assertThat(docker("run", "-d", "--restart", "unless-stopped", "--name", container, "--label", "io.powerai.managed=true", "--network", "host",
                LocalInfrastructure.BASE_IMAGE, "sleep", "600")).isZero();
        assertThat(docker("inspect", container)).isZero();

        CliRun run = CliRun.with(Map.of("POWERAI_ENGINE", "docker"), "deploy", "delete", project.toString());

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("[aksDeploy] stopping and removing " + container)
                .contains("deleted: container " + container + " stopped and removed");
        assertThat(docker("inspect", container)).as("the engine no longer has the container").isNotZero();
        List<String> audit = Files.readAllLines(project.resolve(".powerai/audit.jsonl"), StandardCharsets.UTF_8);
        assertThat(audit).hasSize(1);
        Map<String, Object> record = Json.parseObject(audit.get(0));
        assertThat(record).containsEntry("stage", "aksDeploy").containsEntry("status", "succeeded")
                .containsEntry("inputs", Map.of("image", LocalInfrastructure.BASE_IMAGE));
        assertThat(record.get("details")).isEqualTo(Map.of("target", "local", "action", "delete", "container", container, "removed", true));
        assertThat(Json.readObject(project.resolve(".powerai/aksDeploy.json"))).containsEntry("action", "delete").containsEntry("removed", true);
        CliRun verified = CliRun.of("audit", "verify", project.toString());
        assertThat(verified.out()).as(verified.toString()).contains("audit: OK, 1 record(s)");

        CliRun again = CliRun.with(Map.of("POWERAI_ENGINE", "docker"), "deploy", "delete", project.toString());
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(again.out()).contains("nothing to delete: no container " + container);
    }

    private static int docker(String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = "docker";
        System.arraycopy(args, 0, command, 1, args.length);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }
}
