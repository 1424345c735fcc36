package io.powerai.core.engine;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Real processes: a timeout stops the whole tree a command started, not just the command. */
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
