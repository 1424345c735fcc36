package io.powerai.core.engine;

import java.nio.file.Path;

/** A host path mounted into a container. */
public record Mount(Path source, String target, boolean readOnly) {
    public String toVolumeArgument() {
        return source.toAbsolutePath() + ":" + target + (readOnly ? ":ro" : ":rw");
    }
}
