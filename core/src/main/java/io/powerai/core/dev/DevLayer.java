package io.powerai.core.dev;

import io.powerai.core.PowerAiException;
import io.powerai.core.engine.ContainerEngine;
import io.powerai.core.process.ProcessRunner;
import io.powerai.core.event.StageEvents;
import io.powerai.core.image.DockerfileWriter;
import io.powerai.core.json.Digests;
import io.powerai.core.json.Json;
import io.powerai.core.snapshot.Manifest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The dev layer: the snapshot image plus a Jupyter server, built under a tag of its own so that the snapshot image
 * (what training runs in) stays as it is. Its tag is derived from its Dockerfile, which names the snapshot image by
 * digest: the same snapshot gets the same dev layer, built once.
 */
public final class DevLayer {
    /** Debian 12's classic notebook server (notebook 6.4): the REST and kernel API, and the notebook UI. */
    static final List<String> APT_PACKAGES = List.of("jupyter-notebook", "python3-ipykernel");
    /** Added when the snapshot has no pip, so that packages can be tried from the notebook (and captured). */
    static final String APT_PIP = "python3-pip";
    static final String PIP_PACKAGE = "notebook";
    static final String LABEL = "io.powerai.dev-layer";
    /** A mirror URI as apt takes it; nothing that a shell or a Dockerfile would read as syntax. */
    private static final Pattern MIRROR = Pattern.compile("https?://[A-Za-z0-9._~:/%+@-]+");
    private static final Pattern CODENAME = Pattern.compile("[a-z]+");

    /** How the image gets Jupyter. */
    public enum Installer { APT, PIP }

    /**
     * @param tag        the local tag of the dev image
     * @param dockerfile its Dockerfile
     * @param installer  how it gets Jupyter
     * @param addsPip    whether it adds pip, which the snapshot lacks
     */
    public record Plan(String tag, String dockerfile, Installer installer, boolean addsPip) {
    }

    private DevLayer() {
    }

    /**
     * The dev layer over {@code snapshotImage} (pinned by digest), from what its manifest says the image is: Debian's
     * packages where the image is Debian-based, pip where it has pip; invalid input otherwise.
     *
     * @param hostMirror the Debian mirror of this host (from its apt sources), or null to use the image's own sources
     */
    public static Plan plan(String projectName, String snapshotImage, Manifest manifest, String hostMirror) {
        boolean hasPip = hasPip(manifest);
        String osId = manifest.os().getOrDefault("ID", "");
        String like = manifest.os().getOrDefault("ID_LIKE", "");
        Installer installer;
        if (osId.equals("debian") || List.of(like.split("\\s+")).contains("debian")) {
            installer = Installer.APT;
        } else if (hasPip) {
            installer = Installer.PIP;
        } else {
            throw PowerAiException.InvalidInput.bare("the snapshot image " + snapshotImage
                    + " cannot get Jupyter: it is not Debian-based (os ID '" + osId + "') and has no pip; base the environment on an"
                    + " image with apt or pip ('environment.base_image')");
        }
        DockerfileWriter out = new DockerfileWriter()
                .comment("Rendered by powerai (dev): the snapshot image plus Jupyter. Never pushed, never trained in.")
                .from(snapshotImage)
                .labels(Map.of(LABEL, manifest.snapshotId()), true);
        boolean addsPip = false;
        if (installer == Installer.APT) {
            List<String> packages = new ArrayList<>(APT_PACKAGES);
            if (!hasPip) {
                packages.add(APT_PIP);
                addsPip = true;
            }
            String codename = manifest.os().get("VERSION_CODENAME");
            boolean ownSources = hostMirror != null && osId.equals("debian") && codename != null && CODENAME.matcher(codename).matches()
                    && MIRROR.matcher(hostMirror).matches();
            // The host's mirror in a list of the dev layer's own: the image's sources stay untouched, and no mirror is
            // written into the project. An image of another distribution keeps its own sources.
            String options = ownSources ? " -o Dir::Etc::SourceList=/tmp/powerai-dev.list -o Dir::Etc::SourceParts=/nonexistent" : "";
            StringBuilder run = new StringBuilder();
            if (ownSources) {
                run.append("echo ").append(DockerfileWriter.shellQuoted("deb " + hostMirror + " " + codename + " main"))
                        .append(" > /tmp/powerai-dev.list \\\n && ");
            }
            run.append("apt-get").append(options).append(" update \\\n && DEBIAN_FRONTEND=noninteractive apt-get").append(options)
                    .append(" install -y --no-install-recommends");
            packages.forEach(p -> run.append(" \\\n      ").append(DockerfileWriter.shellWord(p)));
            run.append(" \\\n && rm -rf /var/lib/apt/lists/*").append(ownSources ? " /tmp/powerai-dev.list" : "");
            out.run(run.toString());
        } else {
            out.run("PIP_BREAK_SYSTEM_PACKAGES=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore \\\n"
                    + "    python3 -m pip install --no-cache-dir " + PIP_PACKAGE);
        }
        // Fails the build here, with a clear line, when the install left no server to run.
        out.run("jupyter-notebook --version");
        String dockerfile = out.toString();
        String tag = "localhost/powerai-dev/" + projectName + ":" + manifest.snapshotId().substring(0, 12) + "-"
                + Digests.sha256(dockerfile).substring(0, 12);
        return new Plan(tag, dockerfile, installer, addsPip);
    }

    static boolean hasPip(Manifest manifest) {
        return manifest.packages().stream().anyMatch(p -> p.source().equals(Manifest.SOURCE_PIP) && p.name().equals("pip")
                || p.source().equals(Manifest.SOURCE_APT) && p.name().equals(APT_PIP));
    }

    /** Builds the dev image unless the engine has it already; a clear error when the image cannot get Jupyter. */
    static void ensureBuilt(ContainerEngine engine, Plan plan, Path contextDir, StageEvents events) {
        if (engine.imageSize(plan.tag()).isPresent()) {
            events.progress("dev layer " + plan.tag() + " already built");
            return;
        }
        events.progress("building the dev layer " + plan.tag() + " (Jupyter with " + plan.installer().name().toLowerCase(Locale.ROOT)
                + (plan.addsPip() ? ", and pip" : "") + "); the first build of a snapshot's dev layer takes a minute or two");
        Json.writeAtomically(contextDir.resolve("Dockerfile"), plan.dockerfile());
        ProcessRunner.Result build = engine.build(contextDir, plan.tag(), events::log);
        if (build.exitCode() != 0) {
            throw PowerAiException.StageFailed.bare("the snapshot image cannot get Jupyter: building the dev "
                    + "layer failed (exit " + build.exitCode() + "): " + build.lastLines(1) + " (Dockerfile at "
                    + contextDir.resolve("Dockerfile") + ")");
        }
    }

    /**
     * The first Debian mirror of this host's apt sources ({@code sources.list.d/debian.sources}, else
     * {@code sources.list}), as scripts/infra.sh finds it; empty when there is none.
     */
    public static Optional<String> hostDebianMirror(Path etcApt) {
        try {
            Path deb822 = etcApt.resolve("sources.list.d/debian.sources");
            if (Files.isRegularFile(deb822)) {
                for (String line : Files.readAllLines(deb822)) {
                    if (line.startsWith("URIs:")) {
                        String[] uris = line.substring(5).strip().split("\\s+");
                        if (!uris[0].isEmpty()) {
                            return Optional.of(uris[0]);
                        }
                    }
                }
            }
            Path list = etcApt.resolve("sources.list");
            if (Files.isRegularFile(list)) {
                for (String line : Files.readAllLines(list)) {
                    String[] words = line.strip().split("\\s+");
                    if (words.length > 1 && words[0].equals("deb") && !line.contains("security")) {
                        for (String w : words) {
                            if (w.startsWith("http://") || w.startsWith("https://")) {
                                return Optional.of(w);
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
