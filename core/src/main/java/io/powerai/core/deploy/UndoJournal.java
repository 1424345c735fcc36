package io.powerai.core.deploy;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What a rollout changed in the cluster, as the steps that put each change back, newest first: on a failure the
 * journal is unwound so that what served before serves again and what did not exist is gone.
 */
final class UndoJournal {
    private final Deque<Runnable> steps = new ArrayDeque<>();

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
                return e.getMessage();
            }
        }
        return null;
    }
}
