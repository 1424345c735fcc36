package io.powerai.core.process;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Engine and tool output reaches logs and messages as plain text. */
class TerminalTextTest {
    @Test
    void plain_removesColoursCursorMovesAndTitles() {
        assertThat(TerminalText.plain("\u001B[31merror:\u001B[0m pull access denied")).isEqualTo("error: pull access denied");
        assertThat(TerminalText.plain("\u001B[1;32m#5\u001B[0m \u001B[2K\u001B[1A DONE 0.3s")).isEqualTo("#5  DONE 0.3s");
        assertThat(TerminalText.plain("\u001B]0;title\u0007Step 1/4")).isEqualTo("Step 1/4");
        assertThat(TerminalText.plain("plain [brackets] stay")).isEqualTo("plain [brackets] stay");
    }

    @Test
    void processOutput_reachesTheLinesAndTheMessageWithoutEscapes_andChildrenAreAskedForPlainOutput() throws Exception {
        List<String> seen = new ArrayList<>();
        ProcessRunner.Result result = new ProcessRunner().run(List.of("sh", "-c",
                        "printf '\\033[33mWARNING\\033[0m: a\\n'; printf '\\033[31mfailed\\033[0m\\n' >&2; echo \"$NO_COLOR $BUILDKIT_PROGRESS\""),
                null, Duration.ofSeconds(10), seen::add);

        assertThat(seen).containsExactlyInAnyOrder("WARNING: a", "failed", "1 plain");
        assertThat(String.join("\n", result.lines())).doesNotContain("\u001B");
        assertThat(result.lastLines(3)).doesNotContain("\u001B");
    }
}
