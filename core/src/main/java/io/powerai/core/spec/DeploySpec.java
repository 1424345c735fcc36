package io.powerai.core.spec;

import java.time.Duration;
import java.util.Set;
import java.util.regex.Pattern;

/** The {@code deploy} section: where the scoring image serves. Only the local target exists so far. */
public record DeploySpec(String target, int port, Duration readyTimeout) {

    public static final Set<String> KEYS = Set.of("target", "port", "ready_timeout");
    public static final int DEFAULT_PORT = 8890;

    static DeploySpec from(Section s) {
        s.rejectUnknown(KEYS);
        String target = s.has("target")
                ? s.matching("target", false, Pattern.compile("local"), "must be 'local' (the only target in this version)")
                : "local";
        return new DeploySpec(target, s.integer("port", DEFAULT_PORT, 1024, 65535),
                s.duration("ready_timeout", Duration.ofSeconds(60)));
    }
}
