package io.powerai.core.stage.deploy;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The record a local deployment's container carries of what it serves and served (its labels). */
class LocalRecordTest {
    private static final String A = "127.0.0.1:5000/svm-score@sha256:" + "aa".repeat(32);
    private static final String B = "127.0.0.1:5000/svm-score@sha256:" + "bb".repeat(32);
    private static final String C = "127.0.0.1:5000/svm-score@sha256:" + "cc".repeat(32);
    private static final String M1 = "11".repeat(32);
    private static final String M2 = "22".repeat(32);
    private static final Instant T1 = Instant.parse("2026-12-07T01:00:00Z");
    private static final Instant T2 = Instant.parse("2026-12-07T02:00:00Z");
    private static final Instant T3 = Instant.parse("2026-12-07T03:00:00Z");

    @Test
    void next_eachReplacementCarriesTheVersionsBefore_andWhatServedAtATimeIsAnswered() {
        Map<String, String> first = LocalRecord.next(Map.of(), null, M1, "{\"test_accuracy\":0.99}", T1);
        Map<String, String> second = LocalRecord.next(first, A, M2, "{\"test_accuracy\":1.0}", T2);
        Map<String, String> third = LocalRecord.next(second, B, null, null, T3); // an image given on the command line

        assertThat(first).containsOnlyKeys(LocalRecord.METRICS, LocalRecord.MODEL_SHA256, LocalRecord.SINCE);
        assertThat(second).containsEntry(LocalRecord.METRICS, "{\"test_accuracy\":1.0}").containsEntry(LocalRecord.MODEL_SHA256, M2)
                .containsEntry(LocalRecord.SINCE, T2.toString()).containsKey(LocalRecord.SERVED_BEFORE);
        LocalRecord record = LocalRecord.of("powerai-svm", C, third);
        assertThat(record.served()).extracting(LocalRecord.Served::image).containsExactly(A, B, C);
        assertThat(record.served().get(0)).isEqualTo(new LocalRecord.Served(A, M1, Map.of("test_accuracy", 0.99), T1.toString(), T2.toString()));

        assertThat(record.servedAt(T1.minusSeconds(1))).isNull();
        assertThat(record.servedAt(T1).image()).isEqualTo(A);
        assertThat(record.servedAt(T2.minusMillis(1)).metrics()).containsEntry("test_accuracy", 0.99);
        assertThat(record.servedAt(T2).image()).isEqualTo(B);
        assertThat(record.servedAt(T3.plusSeconds(3600))).isEqualTo(new LocalRecord.Served(C, null, null, T3.toString(), null));
    }

    @Test
    void next_keepsTheLastVersionsOnly() {
        Map<String, String> labels = LocalRecord.next(Map.of(), null, M1, "{\"loss\":0.5}", T1);
        for (int i = 1; i <= LocalRecord.KEPT + 5; i++) {
            labels = LocalRecord.next(labels, A, M1, "{\"loss\":0.5}", T1.plusSeconds(i));
        }
        LocalRecord record = LocalRecord.of("powerai-svm", A, labels);

        assertThat(record.served()).hasSize(LocalRecord.KEPT + 1);
        assertThat(record.served().get(0).since()).isEqualTo(T1.plusSeconds(5).toString());
    }

    @Test
    void trusted_keepsOnlyTheRecordsKeysInTheFormsItWrites() {
        Map<String, String> written = LocalRecord.next(LocalRecord.next(Map.of(), null, M1, "{\"test_accuracy\":0.99}", T1), A, M2,
                "{\"test_accuracy\":1.0}", T2);
        Map<String, Object> planted = new HashMap<>(written);
        planted.put("io.powerai.managed", "false");
        planted.put(LocalRecord.MODEL_SHA256, "../../etc/passwd");
        planted.put(LocalRecord.SINCE, "yesterday");
        planted.put(LocalRecord.METRICS, "{\"test_accuracy\":\"1e9\",\"loss\":0.1}");

        assertThat(LocalRecord.trusted(written)).isEqualTo(written);
        assertThat(LocalRecord.trusted(planted)).containsOnlyKeys(LocalRecord.METRICS, LocalRecord.SERVED_BEFORE)
                .containsEntry(LocalRecord.METRICS, "{\"loss\":0.1}");
        assertThat(LocalRecord.trusted("not a map")).isEmpty();
        assertThat(LocalRecord.trusted(Map.of(LocalRecord.SERVED_BEFORE, "[{\"image\":1}]", LocalRecord.METRICS, "{"))).isEmpty();
        assertThat(LocalRecord.of("c", A, Map.of()).served()).containsExactly(new LocalRecord.Served(A, null, null, null, null));
        assertThat(LocalRecord.of("c", A, Map.of()).servedAt(T3)).isNull();
        assertThat(List.of(LocalRecord.trusted(null))).hasSize(1);
    }
}
