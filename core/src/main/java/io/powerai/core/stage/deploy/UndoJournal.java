package io.powerai.core.stage.deploy;

import io.powerai.core.PowerAiException;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What a rollout changed in the cluster, as the steps that put each change back, newest first: on a failure the
 * journal is unwound so that what served before serves again and what did not exist is gone.
 */
final class UndoJournal {
    private final Deque<Runnable> steps = new ArrayDeque<>();
    private final String stage;

    /** {@code stage}: the stage whose changes these are, named in a failed step's message as the user sees it. */
    UndoJournal(String stage) {
        this.stage = stage;
    }

    void push(Runnable undo) {
        steps.push(undo);
    }

    boolean isEmpty() {
        return steps.isEmpty();
    }

    /** Runs every step, newest first; stops at the first that fails and returns its message (null: all went through). */
    String unwind() {
        while (!steps.isEmpty()) {
            try {
                steps.pop().run();
            } catch (RuntimeException e) {
                steps.clear();
                return e instanceof PowerAiException p ? p.messageIn(stage) : e.getMessage();
            }
        }
        return null;
    }
}
