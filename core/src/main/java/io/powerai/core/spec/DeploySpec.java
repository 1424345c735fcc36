package io.powerai.core.spec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code deploy} section: where the scoring image serves (only the local target exists so far), and the
 * sample the smoke test sends (default: the {@code score} section's).
 */
public record DeploySpec(String target, int port, Duration readyTimeout, Path sampleRequest, Path expectedResponse) {

    public static final Set<String> KEYS = Set.of("target", "port", "ready_timeout", "sample_request", "expected_response");
    public static final int DEFAULT_PORT = 8890;

    static DeploySpec from(Section s, Path projectDir) {
        s.rejectUnknown(KEYS);
        String target = s.has("target")
                ? s.matching("target", false, Pattern.compile("local"), "must be 'local' (the only target in this version)")
                : "local";
        return new DeploySpec(target, s.integer("port", DEFAULT_PORT, 1024, 65535),
                s.duration("ready_timeout", Duration.ofSeconds(60)),
                s.pathInside("sample_request", false, projectDir, false),
                s.pathInside("expected_response", false, projectDir, false));
    }
}
