package io.powerai.core.lifecycle;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CancellationTest {
    private final Cancellation cancellation = new Cancellation();
    private final List<String> done = new CopyOnWriteArrayList<>();

    @Test
    void abort_runsOpenActionsNewestFirst_onceEach_closedOnesNot() {
        Cancellation.Step step = cancellation.step("gpuTrain", () -> done.add("record the abort"));
        cancellation.onAbort("stop docker", () -> done.add("stop docker"));
        assertThat(step.ownedByTheStage()).isTrue();
        cancellation.onAbort("finished", () -> done.add("finished")).close();

        assertThat(cancellation.abort("SIGTERM")).isEmpty();
        assertThat(cancellation.abort("SIGTERM")).isEmpty();
        assertThat(done).containsExactly("stop docker", "record the abort");
        assertThat(cancellation.reason()).isEqualTo("SIGTERM");
        assertThat(step.ownedByTheStage()).as("the abort recorded it").isFalse();
    }

    @Test
    void aFailingAction_isReported_theOthersStillRun() {
        cancellation.step("aksDeploy", () -> done.add("rolled back"));
        cancellation.onAbort("remove container", () -> {
            throw new IllegalStateException("engine gone");
        });
        assertThat(cancellation.abort("SIGINT")).containsExactly("remove container: engine gone");
        assertThat(done).containsExactly("rolled back");
    }

    @Test
    void afterTheAbort_aStageMayNotRecordNorStartAnything() {
        cancellation.step("gpuTrain", () -> done.add("recorded as aborted"));
        cancellation.abort("SIGTERM");
        assertThatThrownBy(() -> cancellation.recording("gpuTrain")).isInstanceOf(Cancellation.Aborted.class)
                .hasMessage("gpuTrain: aborted (SIGTERM)");
        assertThatThrownBy(() -> cancellation.onAbort("stop docker", () -> { })).isInstanceOf(Cancellation.Aborted.class);
        assertThat(done).containsExactly("recorded as aborted");
    }

    @Test
    void aStageThatIsRecording_isWaitedFor_notRecordedTwice() throws Exception {
        Cancellation.Step step = cancellation.step("scoringImage", () -> done.add("recorded as aborted"));
        cancellation.recording("scoringImage");
        CountDownLatch aborted = new CountDownLatch(1);
        Thread signal = new Thread(() -> {
            cancellation.abort("SIGTERM");
            aborted.countDown();
        });
        signal.start();
        assertThat(aborted.await(300, TimeUnit.MILLISECONDS)).as("the abort waits for the record").isFalse();
        done.add("recorded as succeeded");
        step.close();
        assertThat(aborted.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(done).containsExactly("recorded as succeeded");
        assertThat(step.ownedByTheStage()).as("the stage recorded it").isTrue();
    }

    @Test
    void awaitAbort_returnsAtOnceWhenNothingWasAborted() {
        long started = System.nanoTime();
        cancellation.awaitAbort(30);
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)).isLessThan(5);
        assertThat(cancellation.aborted()).isFalse();
    }

    /** A bare failure of a stage's validation, before it registers a step, is attributed to that stage, not the one before. */
    @Test
    void enteringAStage_makesItTheLastStep_beforeItRegistersOne() {
        try (Cancellation.Step ignored = cancellation.step("scoringImage", () -> { })) {
            assertThat(cancellation.lastStep()).isEqualTo("scoringImage");
        }
        cancellation.entering("aksDeploy");
        assertThat(cancellation.lastStep()).isEqualTo("aksDeploy");
    }
}
