package io.powerai.core.lifecycle;

import io.powerai.core.PowerAiException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What a run has started that must not outlive it, and what to do when the run is stopped from outside (Jenkins
 * aborts a build with SIGTERM). The stages and the process runner register undo actions here while they work; the
 * face that receives the stop request calls {@link #abort}, which runs them, newest first. The core never
 * installs signal handlers, prints or exits: it only keeps the list.
 *
 * <p>A stage registers its own abort action as a {@link Step}: it undoes what the stage left (a container, a half
 * deployment) and records the abort. Once the stage has begun to record its own outcome ({@link Step#recording}),
 * the abort waits for that record instead, so a run never has two outcomes.
 */
public final class Cancellation {
    /** How long an abort waits for a stage that is writing its own record when the stop request came. */
    static final long RECORDING_WAIT_SECONDS = 30;

    /** Thrown where a stage would record its outcome after the run was aborted: the abort has recorded it. */
    public static final class Aborted extends PowerAiException {
        private static final long serialVersionUID = 1L;

        Aborted(String message) {
            super(message, null);
        }

        /** The stage did not finish; a face that received a signal exits with the signal's own code instead. */
        @Override
        public int exitCode() {
            return 1;
        }
    }

    /** A registered action; closing it removes it (the work it guards is over). */
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    private final Object lock = new Object();
    private final List<Action> actions = new ArrayList<>();
    private String reason;
    private String lastStep;
    private final CountDownLatch abortDone = new CountDownLatch(1);

    private sealed class Action implements Registration permits Step {
        final String what;
        final Runnable undo;

        Action(String what, Runnable undo) {
            this.what = what;
            this.undo = undo;
        }

        @Override
        public void close() {
            synchronized (lock) {
                actions.remove(this);
            }
        }
    }

    /** A stage's abort action: skipped (waited for) once the stage records its own outcome. */
    public final class Step extends Action {
        private boolean recording;
        private final CountDownLatch closed = new CountDownLatch(1);

        private Step(String what, Runnable undo) {
            super(what, undo);
        }

        /** Whether the abort leaves this step to the stage: it had begun recording, or no abort came. */
        public boolean ownedByTheStage() {
            synchronized (lock) {
                return reason == null || recording;
            }
        }

        @Override
        public void close() {
            super.close();
            closed.countDown();
        }
    }

    /**
     * The stage {@code what} is about to record its outcome: from now on an abort waits for its {@link Step} to
     * close instead of running it. Throws {@link Aborted} when the run was aborted already: the abort records the
     * stage then, and the stage must not.
     */
    public void recording(String what) {
        synchronized (lock) {
            if (reason != null) {
                throw new Aborted(what + ": aborted (" + reason + ")");
            }
            for (Action action : actions) {
                if (action instanceof Step step && step.what.equals(what)) {
                    step.recording = true;
                }
            }
        }
    }

    /** Registers {@code undo}, run when the run is aborted while the registration is open. */
    public Registration onAbort(String what, Runnable undo) {
        return register(new Action(what, undo));
    }

    /** Registers a stage's abort action (undo what it started, record the abort); see {@link Step}. */
    public Step step(String what, Runnable undo) {
        Step step = register(new Step(what, undo));
        synchronized (lock) {
            lastStep = what;
        }
        return step;
    }

    /**
     * Says that {@code stage} starts, before it has registered a {@link Step} (or when it registers none, as a deploy to
     * Kubernetes): what a bare failure of its validation is then attributed to ({@link #lastStep}).
     */
    public void entering(String stage) {
        synchronized (lock) {
            lastStep = stage;
        }
    }

    /** The name of the last stage {@link #entering entered} or {@link Step} registered (the stage under way, or the last to run); null before any. */
    public String lastStep() {
        synchronized (lock) {
            return lastStep;
        }
    }

    private <A extends Action> A register(A action) {
        synchronized (lock) {
            if (reason != null) {
                throw new Aborted(action.what + ": aborted (" + reason + ") before it started");
            }
            actions.add(action);
        }
        return action;
    }

    /** Why the run was aborted ("SIGTERM"), or null while it was not. */
    public String reason() {
        synchronized (lock) {
            return reason;
        }
    }

    public boolean aborted() {
        synchronized (lock) {
            return reason != null;
        }
    }

    /**
     * Stops the run: from now on nothing new may start and no stage may record success. Runs every open action,
     * newest first, each once, whatever the others do; returns one line per action that failed (empty when all
     * did their part). A second call does nothing.
     */
    public List<String> abort(String why) {
        List<Action> open;
        synchronized (lock) {
            if (reason != null) {
                return List.of();
            }
            reason = why;
            open = new ArrayList<>(actions);
        }
        try {
            return undo(open);
        } finally {
            abortDone.countDown();
        }
    }

    /**
     * Waits until an abort under way has run all its actions (at most {@code seconds}); returns at once when the run
     * was not aborted. A face calls it before it exits, so the process does not end in the middle of the undoing.
     */
    public void awaitAbort(long seconds) {
        if (!aborted()) {
            return;
        }
        try {
            abortDone.await(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private List<String> undo(List<Action> open) {
        List<String> problems = new ArrayList<>();
        for (int i = open.size() - 1; i >= 0; i--) {
            Action action = open.get(i);
            boolean waitInstead;
            synchronized (lock) {
                waitInstead = action instanceof Step step && step.recording;
            }
            try {
                if (waitInstead) {
                    if (!((Step) action).closed.await(RECORDING_WAIT_SECONDS, TimeUnit.SECONDS)) {
                        problems.add(action.what + ": its record was still being written after " + RECORDING_WAIT_SECONDS + " s");
                    }
                } else {
                    action.undo.run();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                problems.add(action.what + ": interrupted");
            } catch (RuntimeException e) {
                problems.add(action.what + ": " + e.getMessage());
            }
        }
        return problems;
    }
}
