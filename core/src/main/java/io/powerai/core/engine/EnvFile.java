package io.powerai.core.engine;

import io.powerai.core.PowerAiException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A container's variables in a private file for {@code --env-file} (docker and podman read the same
 * {@code NAME=value} lines): values on the engine's command line would be readable by every user of the machine
 * ({@code ps}, {@code /proc}) and each is limited to 128 KiB by the kernel, past which the engine does not even
 * start. Mode 0600 from creation, removed on close. A line holds one variable, so a value with a line break is
 * refused (the specs refuse it first, naming the key).
 */
public final class EnvFile implements AutoCloseable {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final Path path;

    private EnvFile(Path path) {
        this.path = path;
    }

    /** The file holding {@code env}, or one whose {@link #path} is null when {@code env} is empty. */
    public static EnvFile of(Map<String, String> env) {
        if (env.isEmpty()) {
            return new EnvFile(null);
        }
        StringBuilder text = new StringBuilder();
        env.forEach((name, value) -> {
            if (!NAME.matcher(name).matches() || value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0 || value.indexOf('\0') >= 0) {
                throw new PowerAiException.InvalidInput("container variable '" + name + "' must be a variable name with a"
                        + " single-line value (no line break or NUL)");
            }
            text.append(name).append('=').append(value).append('\n');
        });
        try {
            Path file = Files.createTempFile("powerai-env-", ".list",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, text, StandardCharsets.UTF_8);
            return new EnvFile(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the container's env file: " + e.getMessage(), e);
        }
    }

    public Path path() {
        return path;
    }

    @Override
    public void close() {
        if (path == null) {
            return;
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the container's env file " + path + ": " + e.getMessage(), e);
        }
    }
}
