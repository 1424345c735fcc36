package io.powerai.core.dev;

import io.powerai.core.engine.ContainerEngine;
import io.powerai.core.process.ProcessRunner;
import io.powerai.core.engine.RunSpec;
import io.powerai.core.event.EventSink;
import io.powerai.core.registry.RegistryClient;
import io.powerai.core.spec.PipelineSpec;
import io.powerai.core.stage.StageContext;
import io.powerai.core.workspace.Workspace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The dev container's run, rendered without an engine; and the token's way to the engine, through a stand-in engine. */
class DevRunSpecTest {
    @TempDir
    Path tmp;

    private StageContext context(ContainerEngine engine) throws Exception {
        return context(engine, "");
    }

    private StageContext context(ContainerEngine engine, String trainExtra) throws Exception {
        Path project = Files.createDirectories(tmp.resolve("project"));
        Files.createDirectories(project.resolve("data"));
        Files.writeString(project.resolve("train.py"), "print(1)\n");
        Files.writeString(project.resolve("powerai.yaml"), """
                name: demo
                environment:
                  base_image: 127.0.0.1:5000/powerai/python-ml:bookworm
                train:
                  script: train.py
                  data: data
                  env:
                    OMP_NUM_THREADS: "1"
                """ + trainExtra);
        PipelineSpec spec = PipelineSpec.read(project.resolve("powerai.yaml"), null);
        return new StageContext(spec, new Workspace(project, Clock.systemUTC()), engine, new RegistryClient(Set.of(), Map.of()),
                EventSink.discarding(), Clock.systemUTC());
    }

    @Test
    void projectReadWrite_dataReadOnly_hostNetwork_notRoot_serverFlagsOnItsCommandLine() throws Exception {
        ContainerEngine docker = new ContainerEngine(ContainerEngine.Kind.DOCKER, "docker", new ProcessRunner());
        StageContext ctx = context(docker);
        RunSpec run = DevEnvironment.runSpec(ctx, "localhost/powerai-dev/demo:x", "powerai-dev-demo-1", new ProjectOwner(4242, 4242),
                DevSettings.of(9999, null, false), tmp.resolve("outputs"), null);
        List<String> args = docker.runArguments(run.inBackground(), Path.of("/env-file"));
        String line = String.join(" ", args);
        assertThat(line).contains("--network host", "--user 4242:4242", "--workdir /workspace/project",
                "--volume " + ctx.spec().projectDir() + ":/workspace/project:rw",
                "--volume " + ctx.spec().projectDir().resolve("data") + ":/workspace/data:ro");
        assertThat(run.env()).containsEntry("OMP_NUM_THREADS", "1").containsEntry("HOME", "/tmp/powerai-home")
                .containsEntry("PIP_BREAK_SYSTEM_PACKAGES", "1").doesNotContainKey("JUPYTER_TOKEN");
        String server = args.get(args.size() - 1);
        assertThat(server).contains("cd \"$HOME\" && exec jupyter-notebook", "--ip=127.0.0.1", "--port=9999", "--port-retries=0",
                "--notebook-dir=/workspace/project", "--NotebookApp.disable_check_xsrf=False", "--NotebookApp.allow_root=False");
        assertThat(line).doesNotContain("TOKEN").doesNotContain("--gpus");
    }

    @Test
    void gpus_asTheTrainingAsksForThem_throughItsPolicy() throws Exception {
        ContainerEngine docker = new ContainerEngine(ContainerEngine.Kind.DOCKER, "docker", new ProcessRunner());
        assertThat(DevEnvironment.gpus(context(docker), "img")).isNull();
        // gpu_policy none: the request goes to the engine unchecked, as gpuTrain sends it.
        StageContext ctx = context(docker, "  gpus: 2\n  gpu_policy: none\n");
        String gpus = DevEnvironment.gpus(ctx, "img");
        assertThat(gpus).isEqualTo("2");
        RunSpec run = DevEnvironment.runSpec(ctx, "img", "c", new ProjectOwner(1, 1), DevSettings.of(9999, null, false),
                tmp.resolve("outputs"), gpus);
        assertThat(String.join(" ", docker.runArguments(run, Path.of("/env-file")))).contains("--gpus 2");
    }

    @Test
    void theToken_reachesTheEngineInItsPrivateEnvFile_neverItsArguments() throws Exception {
        Path record = tmp.resolve("record");
        Path fake = tmp.resolve("docker");
        // A stand-in for the docker CLI: it writes down its arguments and what the env file it was given holds.
        Files.writeString(fake, "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '" + record + ".args'\n"
                + "while [ $# -gt 0 ]; do [ \"$1\" = --env-file ] && cat \"$2\" >> '" + record + ".env'; shift; done\necho container-id\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
        ContainerEngine engine = new ContainerEngine(ContainerEngine.Kind.DOCKER, fake.toString(), new ProcessRunner());
        String token = DevState.newToken();
        String id = engine.start(RunSpec.of("img", List.of("sh", "-c", "true")).withEnv(Map.of("JUPYTER_TOKEN", token)));
        assertThat(id).isEqualTo("container-id");
        List<String> calls = Files.readAllLines(Path.of(record + ".args"));
        assertThat(calls.get(calls.size() - 1)).contains("run -d --env-file ").endsWith(" img sh -c true").doesNotContain(token);
        assertThat(Files.readAllLines(Path.of(record + ".env"))).containsExactly("JUPYTER_TOKEN=" + token);
    }

    @Test
    void state_isPrivateFromItsFirstByte_andReadsBack() throws Exception {
        Path ws = tmp.resolve(".powerai");
        DevState state = new DevState("http://127.0.0.1:9999/", 9999, "127.0.0.1", DevState.newToken(), "c", "i", "s", "1:1", false,
                "2026-01-01T00:00:00Z");
        state.write(ws);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(DevState.file(ws)))).isEqualTo("rw-------");
        assertThat(DevState.read(ws)).isEqualTo(state);
        assertThat(state.token()).matches("[0-9a-f]{64}");
        assertThat(state.urlWithToken()).isEqualTo("http://127.0.0.1:9999/?token=" + state.token());
    }
}
