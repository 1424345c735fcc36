package io.powerai.core.snapshot;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.powerai.core.PowerAiException;
import io.powerai.core.engine.ContainerEngine;
import io.powerai.core.process.ProcessRunner;
import io.powerai.core.json.Json;
import io.powerai.core.python.PackageName;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * What is installed in an image, asked from inside it in one container run: {@code /etc/os-release}, the
 * Python version and its distributions (with who installed each, from their INSTALLER files),
 * {@code python3 -m pip list --format=json} and {@code pip freeze} when pip is there, {@code conda env export} and
 * {@code conda list --json} when conda is there, {@code dpkg-query} for Debian packages, and the report of the
 * snapshot's own {@code pip install --report} (which holds the archives' hashes).
 */
public final class Capture {
    static final String MARK = "@@powerai:";
    /** Where the snapshot's pip install writes its report; the capture reads it back. */
    public static final String PIP_REPORT = "/opt/powerai/pip-report.json";

    private static final String PYTHON = String.join("\n",
            "import json, platform",
            "try:",
            "    from importlib import metadata",
            "except ImportError:",
            "    metadata = None",
            "dists = []",
            "if metadata is not None:",
            "    for d in metadata.distributions():",
            "        name = d.metadata['Name']",
            "        if not name:",
            "            continue",
            "        try:",
            "            installer = (d.read_text('INSTALLER') or '').strip()",
            "        except Exception:",
            "            installer = ''",
            "        dists.append({'name': name, 'version': d.version, 'installer': installer})",
            "print(json.dumps({'version': platform.python_version(), 'implementation': platform.python_implementation(),",
            "                  'machine': platform.machine(), 'distributions': dists}, sort_keys=True))");

    /**
     * POSIX sh: every tool is optional; stderr is dropped so that warnings never mix into the sections. Each marker
     * starts on a line of its own even when the output before it (a JSON file) has no final newline.
     */
    public static final String SCRIPT = String.join("\n",
            "exec 2>/dev/null",
            "printf '\\n%s\\n' '" + MARK + "os-release'",
            "cat /etc/os-release || cat /usr/lib/os-release",
            "PY=$(command -v python3 || command -v python)",
            "printf '\\n%s\\n' '" + MARK + "python'",
            "[ -n \"$PY\" ] && \"$PY\" - <<'POWERAI_PY'",
            PYTHON,
            "POWERAI_PY",
            "printf '\\n%s\\n' '" + MARK + "pip-list'",
            "[ -n \"$PY\" ] && \"$PY\" -m pip list --format=json --disable-pip-version-check",
            "printf '\\n%s\\n' '" + MARK + "pip-freeze'",
            "[ -n \"$PY\" ] && \"$PY\" -m pip freeze --all --disable-pip-version-check",
            "printf '\\n%s\\n' '" + MARK + "conda'",
            "command -v conda >/dev/null && conda env export",
            "printf '\\n%s\\n' '" + MARK + "conda-list'",
            "command -v conda >/dev/null && conda list --json",
            "printf '\\n%s\\n' '" + MARK + "dpkg'",
            "command -v dpkg-query >/dev/null && dpkg-query -W -f='${db:Status-Abbrev} ${Package}=${Version}\\n'",
            "printf '\\n%s\\n' '" + MARK + "pip-report'",
            "cat " + PIP_REPORT,
            "printf '\\n%s\\n' '" + MARK + "end'",
            "");

    private static final ObjectMapper YAML = YAMLMapper.builder(new YAMLFactory())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    /** One installed Python distribution, by its PEP 503 name. */
    public record PythonDistribution(String name, String version, String installer, String hash) {
    }

    /**
     * One conda package as {@code conda env export} lists it; {@code channel} is where it came from, the channel's URL
     * as {@code conda list --json} gives it ({@code base_url}), or null where that is unknown.
     */
    public record CondaPackage(String channel, String name, String version, String build) {
    }

    /** What one capture found; absent tools leave their part empty (never null). */
    public record Captured(
            SortedMap<String, String> osRelease,
            String pythonVersion,
            String pythonImplementation,
            String machine,
            SortedMap<String, PythonDistribution> python,
            boolean pipPresent,
            List<String> pipFreeze,
            boolean condaPresent,
            String condaName,
            List<String> condaChannels,
            SortedMap<String, CondaPackage> conda,
            SortedMap<String, String> dpkg) {

        public String osId() {
            return osRelease.get("ID");
        }
    }

    private Capture() {
    }

    /** Runs {@link #SCRIPT} in {@code image} (no network) and parses what it printed. */
    public static Captured run(ContainerEngine engine, String image, Consumer<String> onLine) {
        return checked(engine.runScript(image, SCRIPT, Duration.ofMinutes(5), onLine), image);
    }

    /** As {@link #run}, in a running container: what was installed in it since it started counts too. */
    public static Captured inContainer(ContainerEngine engine, String container, Consumer<String> onLine) {
        return checked(engine.execScript(container, SCRIPT, Duration.ofMinutes(5), onLine), "container " + container);
    }

    private static Captured checked(ProcessRunner.Result result, String where) {
        if (!result.output().contains(MARK + "end")) {
            throw new PowerAiException.StageFailed("cannot look inside " + where + " (exit " + result.exitCode() + "): "
                    + result.lastLines(2) + " (the image needs /bin/sh)");
        }
        return parse(result.lines());
    }

    /** Parses the script's output: sections start at their marker lines; lines before the first are the engine's. */
    public static Captured parse(List<String> lines) {
        Map<String, List<String>> sections = new LinkedHashMap<>();
        List<String> current = null;
        for (String line : lines) {
            if (line.startsWith(MARK)) {
                current = new ArrayList<>();
                sections.put(line.substring(MARK.length()).strip(), current);
            } else if (current != null) {
                current.add(line);
            }
        }
        SortedMap<String, String> os = new TreeMap<>();
        for (String line : sections.getOrDefault("os-release", List.of())) {
            int eq = line.indexOf('=');
            if (eq > 0 && !line.startsWith("#")) {
                String value = line.substring(eq + 1).strip();
                if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"") || value.startsWith("'") && value.endsWith("'"))) {
                    value = value.substring(1, value.length() - 1);
                }
                os.put(line.substring(0, eq).strip(), value);
            }
        }
        String pythonVersion = null;
        String implementation = null;
        String machine = null;
        Map<String, String> installers = new LinkedHashMap<>();
        Map<String, String> distVersions = new LinkedHashMap<>();
        String pythonJson = String.join("\n", sections.getOrDefault("python", List.of())).strip();
        if (!pythonJson.isEmpty()) {
            Map<String, Object> py = parseJsonObject(pythonJson, "the Python probe");
            pythonVersion = (String) py.get("version");
            implementation = (String) py.get("implementation");
            machine = (String) py.get("machine");
            Object dists = py.get("distributions");
            if (dists instanceof List<?> list) {
                for (Object o : list) {
                    if (o instanceof Map<?, ?> d) {
                        String name = PackageName.normalize(String.valueOf(d.get("name")));
                        // The first distribution of a name on sys.path is the one Python imports.
                        distVersions.putIfAbsent(name, String.valueOf(d.get("version")));
                        installers.putIfAbsent(name, String.valueOf(d.get("installer")).toLowerCase(Locale.ROOT));
                    }
                }
            }
        }
        Map<String, String> versions = new LinkedHashMap<>(distVersions);
        String pipList = String.join("\n", sections.getOrDefault("pip-list", List.of())).strip();
        boolean pipPresent = pipList.startsWith("[");
        if (pipPresent) {
            versions.clear();
            try {
                for (Object o : Json.mapper().readValue(pipList, List.class)) {
                    if (o instanceof Map<?, ?> d) {
                        versions.put(PackageName.normalize(String.valueOf(d.get("name"))), String.valueOf(d.get("version")));
                    }
                }
            } catch (IOException e) {
                throw new PowerAiException.StageFailed("pip list printed something that is not JSON: " + e.getMessage());
            }
        }
        Map<String, String> hashes = pipReportHashes(String.join("\n", sections.getOrDefault("pip-report", List.of())).strip());
        SortedMap<String, PythonDistribution> python = new TreeMap<>();
        versions.forEach((name, version) -> {
            String installer = installers.getOrDefault(name, "");
            String hash = hashes.get(name + "==" + version);
            python.put(name, new PythonDistribution(name, version, installer.isEmpty() ? null : installer, hash));
        });
        List<String> freeze = sections.getOrDefault("pip-freeze", List.of()).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();

        String condaText = String.join("\n", sections.getOrDefault("conda", List.of())).strip();
        boolean condaPresent = !condaText.isEmpty();
        String condaName = null;
        List<String> channels = new ArrayList<>();
        SortedMap<String, CondaPackage> conda = new TreeMap<>();
        if (condaPresent) {
            condaName = parseCondaExport(condaText, channels, conda,
                    condaChannelUrls(String.join("\n", sections.getOrDefault("conda-list", List.of())).strip()));
        }
        SortedMap<String, String> dpkg = new TreeMap<>();
        for (String line : sections.getOrDefault("dpkg", List.of())) {
            String l = line.strip();
            int space = l.indexOf(' ');
            if (space < 0) {
                continue;
            }
            String status = l.substring(0, space);
            String entry = l.substring(space + 1).strip();
            int eq = entry.indexOf('=');
            // Only installed packages ("ii"); removed ones that left configuration files behind are not there.
            if (status.startsWith("ii") && eq > 0 && eq < entry.length() - 1) {
                dpkg.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        return new Captured(os, pythonVersion, implementation, machine, python, pipPresent, freeze, condaPresent,
                condaName, List.copyOf(channels), conda, dpkg);
    }

    /**
     * {@code conda env export}: name, channels, and dependencies written {@code name=version=build}. The export names
     * no package's channel, only the channels of all of them together with the configured ones; {@code channelUrls}
     * ({@code conda list --json}) says where each came from.
     */
    static String parseCondaExport(String text, List<String> channels, SortedMap<String, CondaPackage> packages,
                                   Map<String, String> channelUrls) {
        Object tree;
        try {
            tree = YAML.readValue(text, Object.class);
        } catch (IOException e) {
            throw new PowerAiException.StageFailed("conda env export printed something that is not YAML: " + e.getMessage());
        }
        if (!(tree instanceof Map<?, ?> map)) {
            return null;
        }
        if (map.get("channels") instanceof List<?> list) {
            list.forEach(c -> channels.add(String.valueOf(c)));
        }
        if (map.get("dependencies") instanceof List<?> deps) {
            for (Object d : deps) {
                if (!(d instanceof String s)) {
                    continue; // the pip: sub-list; pip list reports those packages
                }
                String channel = null;
                int colons = s.indexOf("::");
                if (colons > 0) {
                    channel = s.substring(0, colons);
                    s = s.substring(colons + 2);
                }
                String[] parts = s.split("=");
                String name = parts[0].strip().toLowerCase(Locale.ROOT);
                packages.put(name, new CondaPackage(channelUrls.getOrDefault(name, channel), name, parts.length > 1 ? parts[1] : null,
                        parts.length > 2 ? parts[2] : null));
            }
        }
        return map.get("name") == null ? null : String.valueOf(map.get("name"));
    }

    /**
     * Package name to the URL of the channel it came from ({@code base_url}), from {@code conda list --json}; what pip
     * installed (conda lists it from the channel "pypi", platform "pypi") and what came from no known channel left out.
     */
    static Map<String, String> condaChannelUrls(String listJson) {
        Map<String, String> urls = new TreeMap<>();
        if (!listJson.startsWith("[")) {
            return urls;
        }
        List<?> list;
        try {
            list = Json.mapper().readValue(listJson, List.class);
        } catch (IOException e) {
            throw new PowerAiException.StageFailed("conda list --json printed something that is not JSON: " + e.getMessage());
        }
        for (Object o : list) {
            if (o instanceof Map<?, ?> p && p.get("name") instanceof String name && p.get("base_url") instanceof String url
                    && !"pypi".equals(p.get("platform")) && !NOT_CONDA_CHANNELS.contains(String.valueOf(p.get("channel")))) {
                urls.put(name.toLowerCase(Locale.ROOT), url.replaceAll("/+$", ""));
            }
        }
        return urls;
    }

    /** Where {@code conda list} puts what pip installed or linked in development mode (its "virtual" channels). */
    private static final java.util.Set<String> NOT_CONDA_CHANNELS = java.util.Set.of("pypi", "<pip>", "<develop>", "<unknown>");

    /** name==version to "sha256:HEX", from a pip installation report (version 1, pip 22.2 and later). */
    static Map<String, String> pipReportHashes(String reportJson) {
        Map<String, String> hashes = new TreeMap<>();
        if (!reportJson.startsWith("{")) {
            return hashes;
        }
        Map<String, Object> report = parseJsonObject(reportJson, "the pip install report");
        if (!(report.get("install") instanceof List<?> installs)) {
            return hashes;
        }
        for (Object o : installs) {
            if (!(o instanceof Map<?, ?> item) || !(item.get("metadata") instanceof Map<?, ?> meta)
                    || !(item.get("download_info") instanceof Map<?, ?> download)) {
                continue;
            }
            String key = PackageName.normalize(String.valueOf(meta.get("name"))) + "==" + meta.get("version");
            if (download.get("archive_info") instanceof Map<?, ?> archive) {
                if (archive.get("hashes") instanceof Map<?, ?> h && h.get("sha256") != null) {
                    hashes.put(key, "sha256:" + h.get("sha256"));
                } else if (archive.get("hash") instanceof String h && h.startsWith("sha256=")) {
                    hashes.put(key, "sha256:" + h.substring("sha256=".length()));
                }
            }
        }
        return hashes;
    }

    private static Map<String, Object> parseJsonObject(String text, String what) {
        try {
            return Json.parseObject(text);
        } catch (IOException e) {
            throw new PowerAiException.StageFailed(what + " printed something that is not JSON: " + e.getMessage());
        }
    }
}
