package io.powerai.core.spec;


import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code deploy} section: where the scoring image serves (the local host, or a Kubernetes cluster such as
 * AKS), and the sample the smoke test sends (default: the {@code score} section's). The keys of target
 * {@code aks} are parsed whatever the target, so a typo is found before a switch of target; {@link #aks()}.
 */
public record DeploySpec(String target, int port, Duration readyTimeout, Path sampleRequest, Path expectedResponse,
                         AksSettings aks, PromotionGate gate, ProvenanceRequirement provenance) {

    public static final Set<String> KEYS = keys();
    public static final int DEFAULT_PORT = 8890;

    public DeploySpec {
        provenance = provenance == null ? ProvenanceRequirement.NONE : provenance;
    }

    public DeploySpec(String target, int port, Duration readyTimeout, Path sampleRequest, Path expectedResponse) {
        this(target, port, readyTimeout, sampleRequest, expectedResponse, null, null, ProvenanceRequirement.NONE);
    }

    public DeploySpec(String target, int port, Duration readyTimeout, Path sampleRequest, Path expectedResponse, AksSettings aks) {
        this(target, port, readyTimeout, sampleRequest, expectedResponse, aks, null, ProvenanceRequirement.NONE);
    }

    public DeploySpec(String target, int port, Duration readyTimeout, Path sampleRequest, Path expectedResponse, AksSettings aks,
                      PromotionGate gate) {
        this(target, port, readyTimeout, sampleRequest, expectedResponse, aks, gate, ProvenanceRequirement.NONE);
    }

    private static Set<String> keys() {
        Set<String> keys = new HashSet<>(Set.of("target", "port", "ready_timeout", "sample_request", "expected_response", "gate",
                "require_provenance", "allowed_keys"));
        keys.addAll(AksSettings.KEYS);
        return Set.copyOf(keys);
    }

    static DeploySpec from(Section s, Path projectDir) {
        s.rejectUnknown(KEYS);
        String target = s.has("target")
                ? s.matching("target", false, Pattern.compile("local|aks"), "must be 'local' or 'aks'")
                : "local";
        Duration readyTimeout = s.duration("ready_timeout", Duration.ofSeconds(60));
        int port = s.integer("port", DEFAULT_PORT, 1024, 65535);
        AksSettings aks = AksSettings.from(s, s.has("ready_timeout") ? readyTimeout : null);
        if ("local".equals(target) && aks.metricsPort() == null && port == 65535) {
            s.problem("port", port, "leaves no port for /metrics (port + 1 by default); set 'metrics_port'");
        } else if ("local".equals(target) && aks.metricsPort() != null && aks.metricsPort() == port) {
            s.problem("metrics_port", aks.metricsPort(), "must differ from 'port' (" + port + "): both are published on 127.0.0.1");
        }
        return new DeploySpec(target, port, readyTimeout,
                s.pathInside("sample_request", false, projectDir, false),
                s.pathInside("expected_response", false, projectDir, false),
                aks,
                PromotionGate.from(s),
                ProvenanceRequirement.from(s, projectDir));
    }

    /**
     * Where a local deployment serves GET /metrics on 127.0.0.1: {@code metrics_port}, else the port after
     * {@code port}. The pod's default (9090) would collide between projects deployed on one host.
     */
    public int localMetricsPort() {
        return aks != null && aks.metricsPort() != null ? aks.metricsPort() : port + 1;
    }
}
