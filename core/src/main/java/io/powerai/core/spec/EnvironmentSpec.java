package io.powerai.core.spec;

import io.powerai.core.image.ImageReference;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.regex.Pattern;

/** The {@code environment} section: what the snapshot image is made of. */
public record EnvironmentSpec(
        ImageReference baseImage,
        Path pipRequirements,
        List<String> aptPackages,
        SortedMap<String, String> env) {

    public static final Set<String> KEYS = Set.of("base_image", "pip_requirements", "apt_packages", "env");

    // Debian policy: package names are lowercase alphanumerics and + - . ; versions add ~ : and uppercase.
    private static final Pattern APT_PACKAGE = Pattern.compile("[a-z0-9][a-z0-9+.-]+(=[A-Za-z0-9.+~:-]+)?");

    public EnvironmentSpec {
        aptPackages = List.copyOf(aptPackages);
    }

    static EnvironmentSpec from(Section s, Path projectDir) {
        s.rejectUnknown(KEYS);
        ImageReference base = null;
        String baseText = s.string("base_image", true);
        if (baseText != null) {
            try {
                base = ImageReference.parse(baseText);
            } catch (IllegalArgumentException e) {
                s.problem("base_image", baseText, "must be an image reference [registry/]name[:tag][@sha256:digest]: " + e.getMessage());
            }
        }
        Path pip = s.pathInside("pip_requirements", false, projectDir, false);
        List<String> apt = new ArrayList<>();
        for (String pkg : s.stringList("apt_packages")) {
            if (APT_PACKAGE.matcher(pkg).matches()) {
                apt.add(pkg);
            } else {
                s.problem("apt_packages", pkg, "must hold Debian package names, optionally name=version");
            }
        }
        SortedMap<String, String> env = s.environment("env");
        // A Dockerfile ENV value cannot hold a line break: it would end the instruction (and start another).
        env.entrySet().removeIf(e -> {
            boolean multiLine = e.getValue().contains("\n") || e.getValue().contains("\r");
            if (multiLine) {
                s.problem("env." + e.getKey(), e.getValue(), "must be a single line (it becomes a Dockerfile ENV value)");
            }
            return multiLine;
        });
        return new EnvironmentSpec(base, pip, apt, env);
    }
}
