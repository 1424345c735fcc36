package io.powerai.core.stage.environment;

import io.powerai.core.json.Digests;
import io.powerai.core.json.Json;
import io.powerai.core.snapshot.LockFiles;
import io.powerai.core.snapshot.Manifest;
import io.powerai.core.snapshot.SnapshotFiles;
import io.powerai.core.spec.EnvironmentSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The lock files of a snapshot, written from its manifest beside it. */
final class SnapshotLocks {
    private SnapshotLocks() {
    }

    /** The index options of the requirement files pip installs from: {@code pip_requirements}, a conda file's {@code pip:} list. */
    static List<String> indexOptions(EnvironmentSpec env) {
        List<String> options = new ArrayList<>();
        if (env.pip() != null) {
            options.addAll(env.pip().options());
        }
        if (env.conda() != null && env.conda().pip() != null) {
            env.conda().pip().options().stream().filter(o -> !options.contains(o)).forEach(options::add);
        }
        return options;
    }

    /** Writes the lock files the manifest calls for and removes stale ones; returns file name to SHA-256. */
    static Map<String, String> write(Path dir, Manifest manifest, List<String> indexOptions) {
        Map<String, String> written = new TreeMap<>();
        Map<String, String> contents = new LinkedHashMap<>();
        // A lock file is written only when it pins something; an empty one would suggest there was nothing to pin.
        contents.put(LockFiles.REQUIREMENTS, LockFiles.pipPackages(manifest).isEmpty() ? null : LockFiles.requirements(manifest, indexOptions));
        contents.put(LockFiles.APT, manifest.snapshotLayer(Manifest.SOURCE_APT).isEmpty() ? null : LockFiles.apt(manifest));
        contents.put(LockFiles.CONDA, LockFiles.conda(manifest));
        contents.forEach((name, text) -> {
            Path file = dir.resolve(name);
            if (text == null) {
                deleteStale(file);
                return;
            }
            if (!text.equals(SnapshotFiles.textOrEmpty(file))) {
                Json.writeAtomically(file, text);
            }
            written.put(name, Digests.sha256(text));
        });
        return written;
    }

    /** Removes a file an earlier snapshot wrote and this one does not. */
    static void deleteStale(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the stale " + file + ": " + e.getMessage(), e);
        }
    }
}
