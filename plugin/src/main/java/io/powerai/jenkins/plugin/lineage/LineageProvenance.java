package io.powerai.jenkins.plugin.lineage;

import io.powerai.core.PowerAiException;
import io.powerai.core.attest.ImageProvenance;
import io.powerai.core.attest.PublicKeys;

import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;

/**
 * The "ML lineage" page's provenance table: per image, whether its provenance verified with the global setting's
 * allowed keys and who signed it. Computed by the core ({@link ImageProvenance}) from the build's copy of the
 * attestations; this only gives the rows getters for the view.
 */
public final class LineageProvenance {
    /** One row of the table. */
    public record Row(ImageProvenance.Row row) {
        public String getLabel() {
            return row.label();
        }

        public String getImage() {
            return row.image() == null ? "" : row.image();
        }

        /** verified, signed (not checked), FAILED, unsigned, none. */
        public String getStatus() {
            return switch (row.status()) {
                case VERIFIED -> "verified";
                case SIGNED_NOT_CHECKED -> "signed (not checked)";
                case FAILED -> "FAILED";
                case UNSIGNED -> "unsigned";
                case NONE -> "none";
            };
        }

        public String getKeyId() {
            return row.keyId() == null ? "" : row.keyId();
        }

        public String getMessage() {
            return row.message();
        }
    }

    private final List<Row> rows;
    private final String keysProblem;

    private LineageProvenance(List<Row> rows, String keysProblem) {
        this.rows = List.copyOf(rows);
        this.keysProblem = keysProblem;
    }

    /** Reads {@code copyDir} (the build's copy of the {@code .powerai} files) and checks with {@code allowedKeysPem}. */
    public static LineageProvenance read(Path copyDir, String allowedKeysPem) {
        List<PublicKey> keys = List.of();
        String problem = null;
        try {
            keys = PublicKeys.allFromPem(allowedKeysPem, "the powerai global setting's allowed keys");
        } catch (PowerAiException e) {
            problem = e.getMessage();
        }
        return new LineageProvenance(ImageProvenance.read(copyDir, keys).stream().map(Row::new).toList(), problem);
    }

    public List<Row> getRows() {
        return rows;
    }

    /** Why the global setting's keys could not be used (then nothing is checked); null when they could. */
    public String getKeysProblem() {
        return keysProblem;
    }
}
