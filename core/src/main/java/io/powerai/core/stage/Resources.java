package io.powerai.core.stage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Files the core ships inside its jar and writes into images and workspaces (the scoring server, the pod runner). */
public final class Resources {
    private Resources() {
    }

    /** The bytes of the resource at {@code path}; a missing one is a broken build, said with {@code what} it is. */
    public static byte[] read(String path, String what) {
        try (InputStream in = Resources.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException(what + " " + path + " is missing from the build");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
