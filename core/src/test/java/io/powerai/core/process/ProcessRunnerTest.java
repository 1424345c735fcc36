package io.powerai.core.process;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Real processes: a timeout stops the whole tree a command started, not just the command; output comes as whole lines. */
class ProcessRunnerTest {

    @Test
    void timeout_stopsTheCommandAndTheProcessesItStarted() throws Exception {
        // sh ignores nothing but does not pass its TERM on: without stopping the tree, both sleeps would outlive it.
        ProcessRunner.Result result = new ProcessRunner().run(List.of("sh", "-c",
                "sleep 300 & echo child=$!; sh -c 'sleep 301 & echo grandchild=$!; wait' & wait"), null, Duration.ofMillis(700), line -> { });

        assertThat(result.timedOut()).isTrue();
        for (String name : List.of("child", "grandchild")) {
            long pid = Long.parseLong(result.output().lines().filter(l -> l.startsWith(name + "=")).findFirst().orElseThrow()
                    .substring(name.length() + 1));
            Optional<ProcessHandle> handle = ProcessHandle.of(pid);
            if (handle.isPresent()) {
                handle.get().onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
            }
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as(name + " " + pid).isNotEqualTo(Optional.of(true));
        }
    }

    /**
     * A line written in two parts (as Python's print() does unbuffered: the text, then the newline) with a line on
     * stderr between them: in one merged pipe that gave "loading databoom", and a metric line would be lost.
     */
    @Test
    void aLineWrittenInTwoParts_staysWhole_whenTheOtherStreamWritesBetween() throws Exception {
        List<String> seen = new java.util.ArrayList<>();
        ProcessRunner.Result result = new ProcessRunner().run(List.of("sh", "-c",
                "printf 'loading data'; sleep 0.2; echo 'boom: no such column' >&2; sleep 0.2; echo; exit 4"),
                null, Duration.ofSeconds(20), seen::add);

        assertThat(result.exitCode()).isEqualTo(4);
        assertThat(result.lines()).containsExactly("boom: no such column", "loading data");
        assertThat(seen).isEqualTo(result.lines());
    }

    @Test
    void timeout_killsWhatIgnoresTerm_afterTheGracePeriod() throws Exception {
        Process process = new ProcessBuilder("sh", "-c", "trap '' TERM; sleep 300 & wait; wait").start();
        long started = System.nanoTime();

        ProcessRunner.stopTree(process, Duration.ofMillis(300));

        assertThat(process.isAlive()).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aCommandThatEndsInTime_isNotTimedOut() throws Exception {
        ProcessRunner.Result result = new ProcessRunner().run(List.of("sh", "-c", "echo done"), null, Duration.ofSeconds(10), line -> { });

        assertThat(result.timedOut()).isFalse();
        assertThat(result.exitCode()).isZero();
        assertThat(result.output()).isEqualTo("done");
    }
}
