package io.powerai.core.image;

import io.powerai.core.PowerAiException;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every value reaching a Dockerfile is quoted for where it lands, and no value can add an instruction. */
class DockerfileWriterTest {
    @Test
    void copy_plainNames_stayPlain_othersTakeTheJsonForm() {
        String dockerfile = new DockerfileWriter().copy("score.py", "/app/score.py").copy("my score.py", "/app/my score.py")
                .copy("it's\"q\".py", "/app/x").toString();

        assertThat(dockerfile).isEqualTo("COPY score.py /app/score.py\n"
                + "COPY [\"my score.py\", \"/app/my score.py\"]\n"
                + "COPY [\"it's\\\"q\\\".py\", \"/app/x\"]\n");
    }

    @Test
    void copy_patternOrVariableCharacters_areRefused() {
        for (String name : List.of("a*.py", "a?.py", "a[1].py", "$HOME.py", "a\\b.py")) {
            assertThatThrownBy(() -> new DockerfileWriter().copy(name, "/app/x")).as(name)
                    .isInstanceOf(PowerAiException.InvalidInput.class).hasMessageContaining("COPY source");
        }
    }

    @Test
    void anyControlCharacter_isRefused_whereverItWouldLand() {
        String injected = "r\nLABEL injected=yes";
        assertThatThrownBy(() -> new DockerfileWriter().copy(injected, "/app/x")).hasMessageContaining("r\\nLABEL injected=yes")
                .hasMessageContaining("control characters");
        assertThatThrownBy(() -> new DockerfileWriter().labels(Map.of("a", injected), true)).isInstanceOf(PowerAiException.InvalidInput.class);
        assertThatThrownBy(() -> new DockerfileWriter().env(Map.of("A", "x\ry"))).isInstanceOf(PowerAiException.InvalidInput.class);
        assertThatThrownBy(() -> DockerfileWriter.shellWord("a\u2028b")).isInstanceOf(PowerAiException.InvalidInput.class);
        assertThatThrownBy(() -> new DockerfileWriter().comment("x\ny")).isInstanceOf(PowerAiException.InvalidInput.class);
    }

    @Test
    void shellWord_quotesWhatTheShellWouldInterpret() {
        assertThat(DockerfileWriter.shellWord("/opt/powerai/project/reqs")).isEqualTo("/opt/powerai/project/reqs");
        assertThat(DockerfileWriter.shellWord("r;touch $HOME/x;x")).isEqualTo("\"r;touch \\$HOME/x;x\"");
        assertThat(DockerfileWriter.shellWord("a b")).isEqualTo("\"a b\"");
        assertThat(DockerfileWriter.shellWord("`id`")).isEqualTo("\"\\`id\\`\"");
        assertThat(DockerfileWriter.shellWord("x\"y\\")).isEqualTo("\"x\\\"y\\\\\"");
    }

    @Test
    void labelsAndEnv_areDockerfileStrings() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("a", "1");
        labels.put("b", "$HOME \"x\" \\");
        String dockerfile = new DockerfileWriter().labels(labels, true).env(Map.of("K", "v w")).toString();

        assertThat(dockerfile).isEqualTo("LABEL a=\"1\" \\\n      b=\"\\$HOME \\\"x\\\" \\\\\"\nENV \\\n    K=\"v w\"\n");
    }

    @Test
    void keysAndInstructionsWords_mustBePlain() {
        assertThatThrownBy(() -> new DockerfileWriter().labels(Map.of("a b", "1"), true)).isInstanceOf(PowerAiException.InvalidInput.class);
        assertThatThrownBy(() -> new DockerfileWriter().workdir("/a b")).isInstanceOf(PowerAiException.InvalidInput.class);
    }

    @Test
    void cmd_isTheExecForm() {
        assertThat(new DockerfileWriter().cmd(List.of("python3", "/a b.py")).toString()).isEqualTo("CMD [\"python3\", \"/a b.py\"]\n");
    }
}
