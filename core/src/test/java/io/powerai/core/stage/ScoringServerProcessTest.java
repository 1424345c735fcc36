package io.powerai.core.stage;

import com.fasterxml.jackson.databind.JsonNode;
import io.powerai.core.json.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The scoring server shipped in every image ({@code powerai_server.py}), run by this machine's python3 as a plain
 * process (standard library only; no container, so these run wherever the core tests run): endpoint keys,
 * importing the entry script once before the fork, and request log lines that never make a request wait for
 * the log's reader. The container end-to-end tests (cli module) cover the rest of the contract in the image.
 */
class ScoringServerProcessTest {
    static final String PRIMARY = "primary-" + "k".repeat(40);
    static final String SECONDARY = "secondary-" + "s".repeat(40);
    /** A model class in a module of its own, so that its import can be seen: it appends its process id to a file. */
    static final String MODEL_MODULE = """
            import os
            with open(os.path.join(os.path.dirname(__file__), "model-module-imports.txt"), "a") as f:
                f.write("%d\\n" % os.getpid())

            class Scaler:
                def __init__(self, scale):
                    self.scale = scale
            """;
    static final String SCORE = """
            import json, os, pickle
            with open(os.path.join(os.path.dirname(__file__), "entry-script-imports.txt"), "a") as f:
                f.write("%d\\n" % os.getpid())
            model = None

            def init():
                global model
                with open(os.path.join(os.environ["AZUREML_MODEL_DIR"], "model.pkl"), "rb") as f:
                    model = pickle.load(f)

            def run(raw_data):
                x = json.loads(raw_data)["x"]
                keys = sorted(k for k in os.environ if k.startswith("POWERAI_") and k.endswith("_KEY"))
                return {"y": [v * model.scale for v in x], "keysSeen": keys, "pid": os.getpid()}
            """;
    static final String PICKLE_MODEL = """
            import pickle, sys
            sys.path.insert(0, sys.argv[1])
            import model_module
            with open(sys.argv[2], "wb") as f:
                pickle.dump(model_module.Scaler(2.5), f, protocol=4)
            """;

    @TempDir
    Path tmp;
    Path app;
    ScoringServerProcess server;

    @BeforeEach
    void writeAppAndModel() throws Exception {
        assumeTrue(ScoringServerProcess.python3Available(), "needs python3 on the PATH (the scoring server is a Python program)");
        app = Files.createDirectories(tmp.resolve("app"));
        Files.writeString(app.resolve("model_module.py"), MODEL_MODULE);
        Files.writeString(app.resolve("score.py"), SCORE);
        Path models = Files.createDirectories(tmp.resolve("models"));
        Files.writeString(tmp.resolve("pickle_model.py"), PICKLE_MODEL);
        Process pickler = new ProcessBuilder("python3", tmp.resolve("pickle_model.py").toString(), app.toString(),
                models.resolve("model.pkl").toString()).redirectErrorStream(true).start();
        assertThat(pickler.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(pickler.exitValue()).as(new String(pickler.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
        // The pickling process imported the module too: what counts is what the server imports.
        Files.deleteIfExists(app.resolve("model-module-imports.txt"));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void keys_scoreAndSwaggerNeedOne_probesDoNot_keysNeverLoggedNorSeenByTheEntryScript() throws Exception {
        start(Map.of("POWERAI_PRIMARY_KEY", PRIMARY, "POWERAI_SECONDARY_KEY", SECONDARY, "WORKER_COUNT", "1"), true);

        HttpResponse<String> none = post(null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).contains("Bearer");
        assertThat(none.headers().firstValue("x-ms-run-function-failed")).isEmpty();
        JsonNode body = Json.mapper().readTree(none.body());
        assertThat(body.get("error").asText()).contains("needs a key").contains("Authorization: Bearer");
        assertThat(none.headers().firstValue("x-ms-request-id")).contains(body.get("requestId").asText());

        HttpResponse<String> wrong = post("Bearer " + PRIMARY + "x");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.headers().firstValue("WWW-Authenticate")).contains("Bearer error=\"invalid_token\"");
        assertThat(wrong.body()).contains("not valid");
        assertThat(post("Basic " + PRIMARY).statusCode()).as("another scheme").isEqualTo(401);
        assertThat(post(PRIMARY).statusCode()).as("no scheme").isEqualTo(401);

        HttpResponse<String> primary = post("Bearer " + PRIMARY);
        assertThat(primary.statusCode()).isEqualTo(200);
        assertThat(Json.mapper().readTree(primary.body()).get("keysSeen")).as("keys left out of run()'s environment").isEmpty();
        assertThat(post("bearer " + SECONDARY).statusCode()).as("the secondary key; the scheme in any case").isEqualTo(200);

        assertThat(get("/", null).statusCode()).isEqualTo(200);
        assertThat(get("/health", null).statusCode()).isEqualTo(200);
        assertThat(get("/swagger.json", null).statusCode()).isEqualTo(401);
        assertThat(get("/swagger.json", "Bearer " + PRIMARY).statusCode()).as("keyed, then: no sample, no swagger").isEqualTo(404);

        server.close();
        String log = String.join("\n", server.output());
        assertThat(log).contains("\"endpointKeys\": 2").contains("\"status\": 401").doesNotContain(PRIMARY).doesNotContain(SECONDARY);
    }

    @Test
    void noKeys_scoreIsOpen() throws Exception {
        start(Map.of("WORKER_COUNT", "1"), true);

        assertThat(post(null).statusCode()).isEqualTo(200);
        assertThat(post("Bearer anything").statusCode()).isEqualTo(200);
    }

    @Test
    void preload_entryScriptAndPickledModelModule_importedOnceInTheMaster_initInEachWorker() throws Exception {
        start(Map.of("WORKER_COUNT", "2"), true);
        server.awaitLines("\"event\": \"ready\"", 2);

        long master = server.pid();
        assertThat(pids("entry-script-imports.txt")).containsExactly(master);
        assertThat(pids("model-module-imports.txt")).containsExactly(master);
        assertThat(server.output()).anySatisfy(l -> assertThat(l).contains("\"event\": \"preloaded\"").contains("\"modelModules\": [\"model_module\"]"));
        assertThat(Json.mapper().readTree(post(null).body()).get("y").get(0).asDouble()).isEqualTo(5.0);
    }

    @Test
    void preloadOff_eachWorkerImportsTheEntryScriptItself() throws Exception {
        start(Map.of("WORKER_COUNT", "2", "POWERAI_PRELOAD", "0"), true);
        server.awaitLines("\"event\": \"ready\"", 2);

        List<Long> entry = pids("entry-script-imports.txt");
        assertThat(entry).hasSize(2).doesNotContain(server.pid());
        assertThat(pids("model-module-imports.txt")).containsExactlyInAnyOrderElementsOf(entry);
        assertThat(server.output()).noneSatisfy(l -> assertThat(l).contains("\"event\": \"preloaded\""));
    }

    @Test
    void requestLines_whileNobodyReadsTheLog_requestsGoOn_andEveryLineArrivesLater() throws Exception {
        start(Map.of("WORKER_COUNT", "1"), false); // stdout is a pipe that this test does not read for now
        int requests = 1500; // ~250 bytes a line: several times what a pipe holds (64 KiB)

        long started = System.nanoTime();
        for (int i = 0; i < requests; i++) {
            assertThat(server.send("POST", "/score", "{\"x\": [" + i + "]}", Map.of(), Duration.ofSeconds(5)).statusCode()).isEqualTo(200);
        }
        long millis = (System.nanoTime() - started) / 1_000_000;

        server.readOutput();
        server.awaitLines("\"path\": \"/score\"", requests);
        assertThat(server.linesContaining("\"path\": \"/score\"")).isEqualTo(requests);
        assertThat(server.output()).noneSatisfy(l -> assertThat(l).contains("not logged"));
        assertThat(millis).as("answered while the log pipe was full").isLessThan(60_000);
    }

    // --- helpers

    private void start(Map<String, String> env, boolean readOutput) throws Exception {
        Map<String, String> all = new HashMap<>(env);
        all.put("AZUREML_ENTRY_SCRIPT", app.resolve("score.py").toString());
        all.put("AZUREML_MODEL_DIR", tmp.resolve("models").toString());
        server = ScoringServerProcess.start(tmp, all, readOutput);
    }

    private List<Long> pids(String file) throws IOException {
        List<Long> pids = new ArrayList<>();
        Path path = app.resolve(file);
        if (Files.exists(path)) {
            Files.readAllLines(path).stream().filter(l -> !l.isBlank()).forEach(l -> pids.add(Long.parseLong(l.strip())));
        }
        return pids;
    }

    private HttpResponse<String> post(String authorization) throws IOException, InterruptedException {
        return server.send("POST", "/score", "{\"x\": [2]}", authorization == null ? Map.of() : Map.of("Authorization", authorization),
                Duration.ofSeconds(20));
    }

    private HttpResponse<String> get(String path, String authorization) throws IOException, InterruptedException {
        return server.send("GET", path, null, authorization == null ? Map.of() : Map.of("Authorization", authorization),
                Duration.ofSeconds(20));
    }
}
