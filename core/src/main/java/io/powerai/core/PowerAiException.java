package io.powerai.core;

/**
 * A problem the user can act on. Its message is the whole story (one line per problem), so the faces print it
 * without a stack trace; the exit code tells the three kinds apart for scripts and pipelines.
 */
public abstract class PowerAiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    protected PowerAiException(String message, Throwable cause) {
        super(message, cause);
    }

    /** 2 invalid input, 1 the stage failed, 3 infrastructure unavailable. */
    public abstract int exitCode();

    /** Bad input from the user: a spec, an argument, a file. Nothing was started. */
    public static final class InvalidInput extends PowerAiException {
        private static final long serialVersionUID = 1L;

        public InvalidInput(String message) {
            super(message, null);
        }

        @Override
        public int exitCode() {
            return 2;
        }
    }

    /** The stage ran and failed: training exited non-zero, a smoke test answered wrong, a rollout failed. */
    public static final class StageFailed extends PowerAiException {
        private static final long serialVersionUID = 1L;

        public StageFailed(String message) {
            super(message, null);
        }

        public StageFailed(String message, Throwable cause) {
            super(message, cause);
        }

        @Override
        public int exitCode() {
            return 1;
        }
    }

    /** Something the stage needs is not there: the container engine, the registry, the cluster. */
    public static final class InfrastructureUnavailable extends PowerAiException {
        private static final long serialVersionUID = 1L;

        public InfrastructureUnavailable(String message) {
            super(message, null);
        }

        public InfrastructureUnavailable(String message, Throwable cause) {
            super(message, cause);
        }

        @Override
        public int exitCode() {
            return 3;
        }
    }
}
