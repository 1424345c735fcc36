package io.powerai.core.kubernetes;

import java.nio.file.Path;

/**
 * How a training's outputs leave its pod: against a real cluster {@link ExecOutputsTransport} (exec into the keeper
 * container, list, read each file); most tests hand over files of their own through a scripted one.
 */
public interface OutputsTransport {

    /** The outputs cannot be read: the pod or its keeper is gone, the folder is missing, exec is refused. */
    final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;

        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Copies every file under {@code remoteDir} of {@code container} into {@code into}, keeping their relative paths. */
    void copy(String namespace, String pod, String container, String remoteDir, Path into) throws Unavailable;

    /** Lets the keeper container end, so that the pod (and the Job) can finish. */
    void release(String namespace, String pod, String container) throws Unavailable;
}
