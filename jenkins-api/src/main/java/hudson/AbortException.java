package hudson;

import java.io.IOException;

/** Declaration only (jenkins-core 2.579): ends a build with a message and no stack trace. */
@SuppressWarnings("serial")
public class AbortException extends IOException {
    public AbortException() {
    }

    public AbortException(String message) {
        super(message);
    }
}
