package io.powerai.core;

/**
 * A problem the user can act on. Its message is the whole story (one line per problem), so the faces print it
 * without a stack trace; the exit code tells the three kinds apart for scripts and pipelines.
 *
 * <p>Every line the user sees starts with the stage it is about ({@code gpuTrain: ...}). Code that runs inside a
 * stage need not know which one: it throws a <em>bare</em> exception ({@code StageFailed.bare(...)}) and the face
 * that ran the stage prefixes it once, where it maps the exception to its exit code ({@link #messageIn}).
 */
public abstract class PowerAiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The message names no stage: the face adds the stage it ran. */
    private final boolean bare;

    protected PowerAiException(String message, Throwable cause) {
        this(message, cause, false);
    }

    protected PowerAiException(String message, Throwable cause, boolean bare) {
        super(message, cause);
        this.bare = bare;
    }

    /** 2 invalid input, 1 the stage failed, 3 infrastructure unavailable. */
    public abstract int exitCode();

    /** Whether the message leaves the stage to the face (see the class comment). */
    public boolean bare() {
        return bare;
    }

    /**
     * The message as the user sees it when {@code stage} was running: a bare message gets {@code "<stage>: "} before
     * each of its lines (one problem a line); any other names its stage already and is returned whole.
     */
    public String messageIn(String stage) {
        String message = String.valueOf(getMessage());
        if (!bare) {
            return message;
        }
        return String.join("\n", message.lines().map(line -> stage + ": " + line).toList());
    }

    /** Bad input from the user: a spec, an argument, a file. Nothing was started. */
    public static final class InvalidInput extends PowerAiException {
        private static final long serialVersionUID = 1L;

        public InvalidInput(String message) {
            super(message, null);
        }

        private InvalidInput(String message, boolean bare) {
            super(message, null, bare);
        }

        /** Bad input, the stage named by the face that runs it. */
        public static InvalidInput bare(String message) {
            return new InvalidInput(message, true);
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

        private StageFailed(String message, Throwable cause, boolean bare) {
            super(message, cause, bare);
        }

        /** The stage failed, the stage named by the face that runs it. */
        public static StageFailed bare(String message) {
            return new StageFailed(message, null, true);
        }

        /** As {@link #bare(String)}, with the exception that caused it. */
        public static StageFailed bare(String message, Throwable cause) {
            return new StageFailed(message, cause, true);
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

        private InfrastructureUnavailable(String message, Throwable cause, boolean bare) {
            super(message, cause, bare);
        }

        /** Infrastructure unavailable, the stage named by the face that runs it. */
        public static InfrastructureUnavailable bare(String message) {
            return new InfrastructureUnavailable(message, null, true);
        }

        /** As {@link #bare(String)}, with the exception that caused it. */
        public static InfrastructureUnavailable bare(String message, Throwable cause) {
            return new InfrastructureUnavailable(message, cause, true);
        }

        @Override
        public int exitCode() {
            return 3;
        }
    }
}
