package io.powerai.core.result;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Map;

/**
 * {@code .powerai/gpuTrain.json}: what a training run left, whatever backend ran it. The fields of one backend
 * ({@code environment} native, {@code kubernetes} a Job, {@code placement} an agent pod, the GPU ones a run that
 * asked for GPUs) are absent for the others. An aborted run (see the stage's in-flight record) holds only the
 * common fields and {@code status: aborted}.
 *
 * @param outputs      the files the training wrote under its outputs folder, by path relative to it, with their SHA-256
 * @param metrics      the last value of each metric the script printed
 * @param gpuPreflight the GPU checks made before the run, as the preflight words them (their keys depend on what it
 *                     found: {@code policy}, {@code requested}, {@code decision}, {@code gpus}, {@code cuda}...)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TrainingResult(
        int schemaVersion,
        String stage,
        String status,
        String image,
        String backend,
        Boolean environmentPinned,
        NativeEnvironment environment,
        Map<String, Object> gpuPreflight,
        GpuTelemetry gpuTelemetry,
        KubernetesPlacement kubernetes,
        AgentPodPlacement placement,
        String script,
        List<String> args,
        String gpus,
        Integer exitCode,
        Long durationMillis,
        Map<String, Double> metrics,
        String metricsChart,
        String outputsDir,
        Map<String, String> outputs,
        String log,
        String codeDigest,
        String dataDigest,
        String snapshotId,
        String revision,
        String failure,
        String failureReason,
        Attestations attestations,
        AuditStamp audit) implements StageResult {

    /** {@code backend: native}: the interpreter the script ran on, described since it is not pinned. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record NativeEnvironment(String backend, boolean pinned, String python, String pythonVersion, int packages,
                                    String packagesDigest) {
    }

    /** What nvidia-smi sampled during the run; {@code file} the samples (CSV) relative to {@code .powerai}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record GpuTelemetry(long intervalMillis, long samples, List<Map<String, Object>> gpus, String problem,
                               Integer unreadableLines, String file) {
    }

    /** {@code backend: kubernetes}: where the Job ran. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record KubernetesPlacement(String apiServer, String namespace, String job, String pod, String node, String reason) {
    }

    /** A run in the training container of a Jenkins Kubernetes agent pod. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AgentPodPlacement(String kind, String container) {
    }

    /** The model file {@code path} (relative to the outputs) and its digest, when the training wrote it. */
    public String outputDigest(String path) {
        return outputs == null ? null : outputs.get(path);
    }
}
