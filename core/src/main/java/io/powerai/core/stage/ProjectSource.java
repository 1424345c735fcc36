package io.powerai.core.stage;

import io.powerai.core.files.NamePolicy;
import io.powerai.core.python.UrlCredentials;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Where the project's code comes from, as git knows it: the remote (without credentials) and the commit. The
 * training records it with its model, the scoring image in its labels; either is null when git does not tell.
 */
public record ProjectSource(String url, String revision) {
    private static final Pattern REVISION = Pattern.compile("[0-9a-f]{40}([0-9a-f]{24})?");

    public static ProjectSource of(Path projectDir) {
        String revision = git(projectDir, "rev-parse", "HEAD");
        String url = git(projectDir, "config", "--get", "remote.origin.url");
        return new ProjectSource(url == null ? null : withoutCredentials(url),
                revision != null && REVISION.matcher(revision).matches() ? revision : null);
    }

    /**
     * {@code https://user:token@host/repo?private_token=T} becomes {@code https://host/repo}: labels, results and
     * logs are public ({@link UrlCredentials#publicForm}); a remote with a control character is left out.
     */
    public static String withoutCredentials(String url) {
        String published = UrlCredentials.publicForm(url);
        return NamePolicy.controlCharacter(published) ? null : published;
    }

    private static String git(Path dir, String... args) {
        List<String> command = new ArrayList<>(List.of("git", "-C", dir.toString()));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(false)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() == 0 && !out.isEmpty() ? out : null;
        } catch (IOException e) {
            return null; // no git on this machine: the labels are left out
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
