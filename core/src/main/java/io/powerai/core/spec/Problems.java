package io.powerai.core.spec;

import io.powerai.core.PowerAiException;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects every problem of a spec before anything is thrown, so a user fixes them all in one go. Each
 * problem is one line: stage, field, value received, rule.
 */
public final class Problems {
    private final List<String> lines = new ArrayList<>();

    public void add(String stage, String message) {
        // One problem, one line: a line break in a value or key is shown escaped, never taken literally.
        lines.add((stage + ": " + message).replace("\r", "\\r").replace("\n", "\\n"));
    }

    public boolean isEmpty() {
        return lines.isEmpty();
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    public void throwIfAny() {
        if (!lines.isEmpty()) {
            throw new PowerAiException.InvalidInput(String.join("\n", lines));
        }
    }
}
