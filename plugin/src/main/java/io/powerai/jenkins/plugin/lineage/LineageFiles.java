package io.powerai.jenkins.plugin.lineage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.regex.Pattern;

/** Where a build keeps its copy of the workspace's audit log, and which workspace paths a step may read it from. */
public final class LineageFiles {
    public static final String DEFAULT_AUDIT_LOG = ".powerai/audit.jsonl";
    public static final String HEAD_SUFFIX = ".head";
    /** The folder inside the build's own directory (beside build.xml and the log). */
    public static final String DIRECTORY = "powerai";

    private static final Pattern WINDOWS_ABSOLUTE = Pattern.compile("^[A-Za-z]:.*");

    private LineageFiles() {
    }

    /**
     * The audit log's path relative to the workspace, '/'-separated. The log is copied into the build and shown
     * on its page, so it must come from inside the workspace: no absolute path, no '..'.
     */
    public static String requireRelative(String stepName, String auditLog) {
        if (auditLog == null || auditLog.isBlank()) {
            return DEFAULT_AUDIT_LOG;
        }
        String path = auditLog.strip().replace('\\', '/');
        boolean absolute = path.startsWith("/") || WINDOWS_ABSOLUTE.matcher(path).matches();
        boolean escapes = ("/" + path + "/").contains("/../");
        if (absolute || escapes || path.indexOf('\0') >= 0 || path.endsWith("/")) {
            throw new IllegalArgumentException(stepName + ": 'auditLog' must be a file path relative to the workspace, "
                    + "without '..', e.g. " + DEFAULT_AUDIT_LOG + "; got '" + auditLog + "'");
        }
        return path;
    }

    /** The files beside the audit log that a build copies for its page: the stages' results and the images' provenance. */
    public static java.util.List<String> copied() {
        java.util.List<String> files = new java.util.ArrayList<>(io.powerai.core.lineage.LineageChain.SOURCE_FILES);
        files.addAll(io.powerai.core.attest.ImageProvenance.SOURCE_FILES);
        return files;
    }

    /** The build's copy of the audit log, below the build's root directory. */
    public static Path auditLog(Path buildDir) {
        return buildDir.resolve(DIRECTORY).resolve("audit.jsonl");
    }

    /** The head file beside an audit log ({@code audit.jsonl.head}). */
    public static Path head(Path auditLog) {
        return auditLog.resolveSibling(auditLog.getFileName() + HEAD_SUFFIX);
    }

    /** Writes {@code content} to {@code target} through a temporary file beside it: never half a copy. */
    public static void store(InputStream content, Path target) throws IOException {
        Files.createDirectories(target.toAbsolutePath().getParent());
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        try {
            Files.copy(content, tmp, StandardCopyOption.REPLACE_EXISTING);
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
