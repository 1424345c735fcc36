package io.powerai.core.stage.environment;

import io.powerai.core.PowerAiException;
import io.powerai.core.event.StageEvents;
import io.powerai.core.image.ImageReference;
import io.powerai.core.python.CondaEnvironment;
import io.powerai.core.python.PackageName;
import io.powerai.core.python.RequirementsFile;
import io.powerai.core.python.UrlCredentials;
import io.powerai.core.python.Version;
import io.powerai.core.snapshot.Capture;
import io.powerai.core.spec.EnvironmentSpec;
import io.powerai.core.spec.Stage;
import io.powerai.core.stage.StageContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@code capture_from}: the pins of what the image a user experimented in installed over the base (apt, pip and
 * conda), checked against the spec's own pins.
 */
public final class Derivation {
    private static final String STAGE_NAME = Stage.SNAPSHOT.stepName();

    private Derivation() {
    }

    /**
     * capture_from: what the image the user experimented in has over the base. Pins that contradict the spec's own
     * are invalid input, all reported at once.
     */
    static Derived derive(StageContext ctx, EnvironmentSpec env, ImageReference captureFrom, ImageReference pinnedBase, StageEvents events) {
        ctx.engine().ensureAvailable();
        events.progress("capturing what is installed in " + captureFrom);
        Capture.Captured captured = Capture.run(ctx.engine(), captureFrom.toString(), line -> { });
        Capture.Captured base = Capture.run(ctx.engine(), pinnedBase.toString(), line -> { });
        Derived derived = derive(captureFrom.toString(), captured, base);
        List<String> problems = conflicts(env, derived);
        if (!problems.isEmpty()) {
            throw new PowerAiException.InvalidInput(String.join("\n", problems));
        }
        requireCondaInBase(derived, base, pinnedBase.toString());
        events.progress("derived " + derived.pip().size() + " pip, " + derived.conda().size() + " conda and " + derived.apt().size()
                + " apt pins from " + captureFrom);
        return derived;
    }

    /** Derived conda pins need conda in the base to install them with. */
    static void requireCondaInBase(Derived derived, Capture.Captured base, String pinnedBase) {
        if (!derived.conda().isEmpty() && !base.condaPresent()) {
            throw new PowerAiException.InvalidInput(STAGE_NAME + ": 'capture_from' " + derived.image() + " has "
                    + derived.conda().size() + " conda package(s) over the base, but 'base_image' " + pinnedBase
                    + " has no conda to install them with; use the conda base the experiment image was made from");
        }
    }

    /**
     * Pure: the pins of what {@code captured} installed or changed over {@code base}. A conda pin names the channel its
     * package came from where that is known, and the channels to install from are those of the pins; where a pin's
     * channel is unknown, all the channels of the captured environment.
     */
    public static Derived derive(String image, Capture.Captured captured, Capture.Captured base) {
        List<String> apt = new ArrayList<>();
        captured.dpkg().forEach((name, version) -> {
            if (!version.equals(base.dpkg().get(name))) {
                apt.add(name + "=" + version);
            }
        });
        Map<String, String> urls = new TreeMap<>();
        for (String line : captured.pipFreeze()) {
            int at = line.indexOf(" @ ");
            if (at > 0 && !line.startsWith("-")) {
                Optional<String> credential = UrlCredentials.find(line);
                if (credential.isPresent()) {
                    throw new PowerAiException.InvalidInput(STAGE_NAME + ": 'capture_from' " + image + ": pip freeze names '"
                            + credential.get() + "', a credential in the URL (rule: " + UrlCredentials.rule() + ")");
                }
                urls.put(PackageName.normalize(line.substring(0, at).strip()), line);
            }
        }
        List<String> pip = new ArrayList<>();
        captured.python().values().forEach(d -> {
            Capture.PythonDistribution inBase = base.python().get(d.name());
            boolean installedByPip = d.installer() != null && !d.installer().equals("conda");
            if (installedByPip && (inBase == null || !inBase.version().equals(d.version()))) {
                pip.add(urls.getOrDefault(d.name(), d.name() + "==" + d.version()));
            }
        });
        List<String> conda = new ArrayList<>();
        List<String> pinChannels = new ArrayList<>();
        captured.conda().forEach((name, pkg) -> {
            Capture.CondaPackage inBase = base.conda().get(name);
            boolean same = inBase != null && Objects.equals(inBase.version(), pkg.version())
                    && Objects.equals(inBase.build(), pkg.build());
            // pip-installed distributions show up in conda's list with channel "pypi"; pip pins them.
            if (!same && !"pypi".equals(pkg.channel()) && pkg.version() != null) {
                conda.add(new CondaEnvironment.MatchSpec(pkg.channel(), name, pkg.version(), pkg.build(), name).pinned());
                pinChannels.add(pkg.channel());
            }
        });
        return new Derived(image, apt, pip, conda, CondaEnvironment.installChannels(pinChannels, captured.condaChannels()));
    }

    static List<String> conflicts(EnvironmentSpec env, Derived derived) {
        List<String> problems = new ArrayList<>();
        String stage = STAGE_NAME;
        Map<String, String> capturedPip = new TreeMap<>();
        derived.pip().forEach(p -> {
            int eq = p.indexOf("==");
            if (eq > 0) {
                capturedPip.put(p.substring(0, eq), p.substring(eq + 2));
            }
        });
        if (env.pip() != null) {
            for (RequirementsFile.Line line : env.pip().requirements()) {
                if (line.kind() != RequirementsFile.Kind.NAMED || !line.requirement().isPinned()) {
                    continue;
                }
                String captured = capturedPip.get(line.name());
                String pinned = line.requirement().specifier().pinnedVersion();
                if (captured != null && !sameVersion(captured, pinned)) {
                    problems.add(stage + ": 'pip_requirements' " + line.location() + ": conflicting pins: " + line.name() + " is pinned to "
                            + pinned + " here but " + derived.image() + " ('capture_from') has " + captured + "; pin it to one version");
                }
            }
        }
        Map<String, String> capturedApt = new TreeMap<>();
        derived.apt().forEach(p -> capturedApt.put(p.split("=", 2)[0], p.split("=", 2)[1]));
        for (String pkg : env.aptPackages()) {
            String[] parts = pkg.split("=", 2);
            if (parts.length == 2 && capturedApt.containsKey(parts[0]) && !capturedApt.get(parts[0]).equals(parts[1])) {
                problems.add(stage + ": 'apt_packages' conflicting pins: " + parts[0] + " is pinned to " + parts[1] + " but "
                        + derived.image() + " ('capture_from') has " + capturedApt.get(parts[0]) + "; pin it to one version; got '" + pkg + "'");
            }
        }
        return problems;
    }

    private static boolean sameVersion(String a, String b) {
        Version va = Version.tryParse(a);
        Version vb = Version.tryParse(b);
        return va != null && vb != null ? va.equals(vb) : a.equalsIgnoreCase(b);
    }
}
