package io.powerai.core.json;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/**
 * A {@code main}, not a test (bench/launcher-flags.sh runs it): how fast {@link Digests#sha256(Path)} hashes a
 * file of {@code args[0]} MiB in a fresh JVM started with the flags under comparison. Data, code and outputs are
 * hashed this way, so the rate decides how long a stage takes over a large dataset or model.
 */
public final class DigestBenchmark {
    private DigestBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        int mebibytes = args.length > 0 ? Integer.parseInt(args[0]) : 512;
        Path file = Files.createTempFile("powerai-digest-bench", ".bin");
        try {
            byte[] block = new byte[1 << 20];
            new Random(42).nextBytes(block);
            try (OutputStream out = Files.newOutputStream(file)) {
                for (int i = 0; i < mebibytes; i++) {
                    out.write(block);
                }
            }
            Digests.sha256(file); // once untimed: the file in the page cache, as a second read of a dataset finds it
            long start = System.nanoTime();
            String digest = Digests.sha256(file);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "mebibytes=%d seconds=%.3f mib_per_s=%.0f sha256=%s%n",
                    mebibytes, seconds, mebibytes / seconds, digest.substring(0, 12));
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
