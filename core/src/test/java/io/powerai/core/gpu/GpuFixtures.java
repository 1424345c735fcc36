package io.powerai.core.gpu;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The recorded nvidia-smi output under src/test/resources/io/powerai/core/gpu/ (see its README: h100/ and
 * h100-busy/ are real, multi/ and mig/ are edited copies of them), and fake nvidia-smi commands that print it.
 */
public final class GpuFixtures {
    public static final String H100_UUID = "GPU-765a2b24-8811-67e2-01a1-03711d63a0f9";
    public static final String BUSY_UUID = "GPU-f4d9d5e2-97ef-4426-c958-81105b260b92";
    public static final String MIG_3G_UUID = "MIG-3f2a5c1e-7b9d-5e4f-a1b2-c3d4e5f60718";
    public static final String MIG_1G_UUID = "MIG-0a1b2c3d-4e5f-5a6b-8c7d-9e0f1a2b3c4d";

    private GpuFixtures() {
    }

    /** A recorded file, e.g. "h100/nvidia-smi-q.xml". */
    public static String text(String name) {
        try (InputStream in = GpuFixtures.class.getResourceAsStream("/io/powerai/core/gpu/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static GpuInventory inventory(String dir) {
        try {
            return NvidiaSmiXml.parse(text(dir + "/nvidia-smi-q.xml"));
        } catch (NvidiaSmiFormatException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * A fake nvidia-smi in {@code dir} that answers like the host recorded in fixture folder {@code host}: -q -x,
     * -L and --query-gpu print the recordings; -lms prints the recorded samples ({@code samples}, a fixture file)
     * one line every 20 ms, round and round, until it is stopped. Every call's arguments go to calls.log.
     */
    public static Path fakeNvidiaSmi(Path dir, String host, String samples) {
        try {
            Path data = Files.createDirectories(dir.resolve("fixture-" + host));
            Files.writeString(data.resolve("q.xml"), text(host + "/nvidia-smi-q.xml"));
            Files.writeString(data.resolve("L.txt"), exists(host + "/nvidia-smi-L.txt") ? text(host + "/nvidia-smi-L.txt") : "");
            Files.writeString(data.resolve("samples.csv"), text(samples));
            Files.writeString(data.resolve("query.csv"), exists(host + "/query-gpu.csv") ? text(host + "/query-gpu.csv") : "");
            return script(dir, "nvidia-smi-" + host, """
                    d="%s"
                    echo "$*" >> "%s"
                    case "$*" in
                      *-lms*) while :; do while IFS= read -r line; do echo "$line"; sleep 0.02; done < "$d/samples.csv"; done ;;
                      *--query-gpu*) cat "$d/query.csv" ;;
                      *-q*-x*) cat "$d/q.xml" ;;
                      *-L*) cat "$d/L.txt" ;;
                      *) echo "fake nvidia-smi: unexpected arguments $*"; exit 2 ;;
                    esac
                    """.formatted(data, dir.resolve("calls.log")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An executable shell script {@code name} in {@code dir} with {@code body}. */
    public static Path script(Path dir, String name, String body) {
        try {
            Path file = dir.resolve(name);
            Files.writeString(file, "#!/bin/sh\n" + body);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean exists(String name) {
        return GpuFixtures.class.getResource("/io/powerai/core/gpu/" + name) != null;
    }
}
