package io.powerai.core.dev;

import io.powerai.core.PowerAiException;
import io.powerai.core.json.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code .powerai/dev.json}: the running dev server (URL, port, token, container), mode 0600 from its creation on,
 * since it holds the token. Read back only through this type.
 *
 * @param url            the server's URL, without the token
 * @param listen         the address Jupyter binds
 * @param image          the dev image the container runs
 * @param snapshotImage  the snapshot image under the dev layer, pinned by digest
 * @param runAs          uid:gid Jupyter runs as
 * @param standIn        true when the project belongs to root and {@code runAs} stands in for it
 */
public record DevState(String url, int port, String listen, String token, String container, String image, String snapshotImage,
                       String runAs, boolean standIn, String startedAt) {
    public static final String FILE = "dev.json";
    /** 32 random bytes: 256 bits, twice the least the issue asks for. */
    static final int TOKEN_BYTES = 32;

    static String newToken() {
        byte[] bytes = new byte[TOKEN_BYTES];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    public String urlWithToken() {
        return url + "?token=" + token;
    }

    public static Path file(Path workspaceDir) {
        return workspaceDir.resolve(FILE);
    }

    Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("schemaVersion", 1);
        out.put("url", url);
        out.put("port", port);
        out.put("listen", listen);
        out.put("token", token);
        out.put("container", container);
        out.put("image", image);
        out.put("snapshotImage", snapshotImage);
        out.put("runAs", runAs);
        out.put("standIn", standIn);
        out.put("startedAt", startedAt);
        return out;
    }

    void write(Path workspaceDir) {
        Json.writePrivately(file(workspaceDir), Json.pretty(toJson()));
    }

    /** The state of the dev server of this workspace, or null when none was started (or it was stopped). */
    public static DevState read(Path workspaceDir) {
        Path file = file(workspaceDir);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            Map<String, Object> json = Json.readObject(file);
            return new DevState((String) json.get("url"), ((Number) json.get("port")).intValue(), (String) json.get("listen"),
                    (String) json.get("token"), (String) json.get("container"), (String) json.get("image"),
                    (String) json.get("snapshotImage"), (String) json.get("runAs"), Boolean.TRUE.equals(json.get("standIn")),
                    (String) json.get("startedAt"));
        } catch (IOException | RuntimeException e) {
            throw PowerAiException.InvalidInput.bare("cannot read " + file + " (" + e.getMessage()
                    + "); stop the container by hand and remove the file");
        }
    }

    static void delete(Path workspaceDir) {
        try {
            Files.deleteIfExists(file(workspaceDir));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + file(workspaceDir) + ": " + e.getMessage(), e);
        }
    }
}
