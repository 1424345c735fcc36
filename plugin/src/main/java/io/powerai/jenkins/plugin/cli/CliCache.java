package io.powerai.jenkins.plugin.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The CLI jar cached on an agent, one folder per version, trusted only while its SHA-256 is the one computed when
 * the plugin was built. Runs on the agent (inside a file callable), so it uses the JDK only: nothing here may
 * pull the core's JSON stack over the remoting channel.
 */
public final class CliCache {
    public static final String JAR_NAME = "powerai-cli.jar";

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    // One path segment, never '.' or '..': a version comes from a resource, but it still names a folder.
    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,99}");

    /** What is at the jar's place before the step touches it. */
    public enum State {
        MISSING, VERIFIED, CORRUPT
    }

    /** What {@link #ensure} did. */
    public enum Outcome {
        REUSED, INSTALLED, REPLACED
    }

    /** Opens the bytes to install; called only when the cache cannot be reused. */
    @FunctionalInterface
    public interface Content {
        InputStream open() throws IOException;
    }

    private CliCache() {
    }

    /** The jar's folder below a cache root ('/'-separated): {@code powerai/<version>}. */
    public static String relativeDir(String version) {
        return "powerai/" + requireVersion(version);
    }

    public static String requireVersion(String version) {
        if (version == null || !VERSION.matcher(version).matches()) {
            throw new IllegalArgumentException("the CLI version must be one path segment of letters, digits, '.', '_', '+', '-'; got '"
                    + version + "'");
        }
        return version;
    }

    public static String requireSha256(String sha256) {
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("an expected SHA-256 must be 64 lowercase hex digits; got '" + sha256 + "'");
        }
        return sha256;
    }

    public static State probe(Path jar, String expectedSha256) throws IOException {
        requireSha256(expectedSha256);
        if (!Files.exists(jar)) {
            return State.MISSING;
        }
        if (!Files.isRegularFile(jar)) {
            return State.CORRUPT;
        }
        return sha256(jar).equals(expectedSha256) ? State.VERIFIED : State.CORRUPT;
    }

    /** A name for the staged copy beside the jar, unique so that two builds on one agent never share it. */
    public static String stagingName() {
        return "." + JAR_NAME + "." + UUID.randomUUID() + ".tmp";
    }

    /**
     * Moves a staged copy into the jar's place if, and only if, it has the expected SHA-256; a staged copy that does
     * not is deleted and the jar's place is left as it was. The move is atomic where the file system allows it,
     * so a build that runs the jar meanwhile sees the old file or the new one, never half of one.
     */
    public static void commit(Path staged, Path jar, String expectedSha256) throws IOException {
        requireSha256(expectedSha256);
        String actual = sha256(staged);
        if (!actual.equals(expectedSha256)) {
            Files.deleteIfExists(staged);
            throw new CorruptCopyException("the copy of " + JAR_NAME + " at " + staged + " has SHA-256 " + actual
                    + ", not the " + expectedSha256 + " the plugin was built with; it was deleted (a failed transfer "
                    + "or a full disk?). Run the build again; if it persists, reinstall the plugin.");
        }
        try {
            Files.move(staged, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(staged, jar, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Where the jar of one version goes: a folder on this machine ({@link #local}) or on an agent (the plugin's
     * implementation runs the local one there). The steps of {@link #ensure} are its methods.
     */
    public interface Place {
        State probe(String expectedSha256) throws IOException, InterruptedException;

        void stage(String stagedName, Content content) throws IOException, InterruptedException;

        void commit(String stagedName, String expectedSha256) throws IOException, InterruptedException;

        void discard(String stagedName) throws IOException, InterruptedException;
    }

    /** A folder on this machine that holds {@value #JAR_NAME}. */
    public static Place local(Path dir) {
        Path jar = dir.resolve(JAR_NAME);
        return new Place() {
            @Override
            public State probe(String expectedSha256) throws IOException {
                return CliCache.probe(jar, expectedSha256);
            }

            @Override
            public void stage(String stagedName, Content content) throws IOException {
                Files.createDirectories(dir);
                try (InputStream in = content.open(); OutputStream out = Files.newOutputStream(dir.resolve(stagedName))) {
                    in.transferTo(out);
                }
            }

            @Override
            public void commit(String stagedName, String expectedSha256) throws IOException {
                CliCache.commit(dir.resolve(stagedName), jar, expectedSha256);
            }

            @Override
            public void discard(String stagedName) throws IOException {
                Files.deleteIfExists(dir.resolve(stagedName));
            }
        };
    }

    /**
     * Reuses the jar when its hash matches; else stages a copy from {@code content} beside it and moves it into
     * place once its hash is verified. {@code content} is not opened when the cached jar is reused.
     */
    public static Outcome ensure(Place place, String expectedSha256, Content content) throws IOException, InterruptedException {
        requireSha256(expectedSha256);
        State state = place.probe(expectedSha256);
        if (state == State.VERIFIED) {
            return Outcome.REUSED;
        }
        String staged = stagingName();
        try {
            place.stage(staged, content);
            place.commit(staged, expectedSha256);
        } catch (IOException | InterruptedException | RuntimeException e) {
            try {
                place.discard(staged);
            } catch (IOException | RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        return state == State.MISSING ? Outcome.INSTALLED : Outcome.REPLACED;
    }

    public static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The staged copy is not the jar the plugin was built with. */
    public static final class CorruptCopyException extends IOException {
        private static final long serialVersionUID = 1L;

        public CorruptCopyException(String message) {
            super(message);
        }
    }
}
