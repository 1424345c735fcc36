package io.powerai.core.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code chromium}, headless, as a test's real browser: loads a page, dumps its DOM or a screenshot, and
 * keeps the console log (with {@code --enable-logging=stderr}, each console message is a line with ":CONSOLE"),
 * where a Content-Security-Policy violation is reported.
 */
final class HeadlessChromium {
    record Loaded(int exitCode, String stdout, List<String> console) {
        /** The console lines where the browser says it blocked or refused something. */
        List<String> blocked() {
            return console.stream().filter(l -> l.contains("Content Security Policy") || l.contains("locked") || l.contains("Refused")).toList();
        }
    }

    private HeadlessChromium() {
    }

    /** The chromium on the PATH, or null when there is none. */
    static Path find() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            for (String name : List.of("chromium", "chromium-browser")) {
                Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        return null;
    }

    static Loaded load(Path chromium, Path profile, String url, String... mode) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0"));
        command.addAll(List.of(mode));
        command.add(url);
        Path out = Files.createTempFile(profile.getParent(), "chromium", ".out");
        Path err = Files.createTempFile(profile.getParent(), "chromium", ".err");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new IllegalStateException("chromium did not finish loading " + url + " in 120 s");
        }
        List<String> console = Files.readAllLines(err, StandardCharsets.UTF_8).stream().filter(l -> l.contains(":CONSOLE")).toList();
        return new Loaded(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), console);
    }
}
