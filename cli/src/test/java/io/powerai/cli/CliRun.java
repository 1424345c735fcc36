package io.powerai.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the powerai command in-process and keeps what it printed. */
record CliRun(int exitCode, String out, String err) {

    static CliRun of(String... args) {
        return with(Map.of(), args);
    }

    static CliRun with(Map<String, String> extraEnvironment, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Map<String, String> environment = new HashMap<>(System.getenv());
        environment.remove("POWERAI_REGISTRY");
        environment.remove("POWERAI_ENGINE");
        environment.putAll(extraEnvironment);
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.run(args, o, e, environment);
        }
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** As {@link #with}, with KUBECONFIG emptied first (a machine's own cluster must never be used), then {@code env}. */
    static CliRun withoutKubeconfig(Map<String, String> env, String... args) {
        Map<String, String> environment = new HashMap<>(Map.of("KUBECONFIG", ""));
        environment.putAll(env);
        return with(environment, args);
    }

    /** Ended with {@code exitCode} and one line on stderr holding every fragment: no stack trace, no exception's name. */
    CliRun assertOneLineError(int exitCode, String... fragments) {
        assertThat(exitCode()).as(toString()).isEqualTo(exitCode);
        assertThat(err().strip().lines()).as(toString()).hasSize(1);
        assertThat(err()).contains(fragments).doesNotContain("\tat ").doesNotContain("Exception");
        return this;
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
    }
}
