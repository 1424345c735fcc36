import io.powerai.core.audit.AuditLog;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * Times AuditLog.append on an existing log, in one JVM: a few warm-up appends (class loading and the JIT are not
 * what is measured), then APPENDS appends, each timed. Prints "median_ms max_ms total_ms" for the timed ones.
 */
public class AuditAppendBench {
    public static void main(String[] args) {
        AuditLog log = new AuditLog(Path.of(args[0]), Clock.systemUTC());
        int warmup = Integer.parseInt(args[1]);
        int appends = Integer.parseInt(args[2]);
        for (int i = 0; i < warmup; i++) {
            append(log, i);
        }
        long[] nanos = new long[appends];
        for (int i = 0; i < appends; i++) {
            long start = System.nanoTime();
            append(log, warmup + i);
            nanos[i] = System.nanoTime() - start;
        }
        long total = java.util.Arrays.stream(nanos).sum();
        java.util.Arrays.sort(nanos);
        System.out.printf("%.2f %.2f %.1f%n", nanos[appends / 2] / 1e6, nanos[appends - 1] / 1e6, total / 1e6);
    }

    private static void append(AuditLog log, int n) {
        log.append(new AuditLog.Entry("gpuTrain", "succeeded", Map.of("code", "c0de".repeat(16)),
                Map.of("outputs/model.pkl", "3".repeat(64)), Map.of("bench", n)));
    }
}
