package io.powerai.core.spec;

import io.powerai.core.PowerAiException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Strict, typed parsing of the aks keys: every problem one line naming stage, field, value and rule. */
class AksSettingsTest {
    @TempDir
    Path project;

    private AksSettings parse(Map<String, Object> keys) {
        Map<String, Object> params = new LinkedHashMap<>(keys);
        params.put("name", "svm-moons");
        params.putIfAbsent("target", "aks");
        return PipelineSpec.forStep(Stage.DEPLOY, params, project, null).pipeline().deploy().aks();
    }

    private List<String> problems(Map<String, Object> keys) {
        PowerAiException.InvalidInput e = catchThrowableOfType(PowerAiException.InvalidInput.class, () -> parse(keys));
        assertThat(e).as("expected problems for " + keys).isNotNull();
        return e.getMessage().lines().toList();
    }

    @Test
    void metrics_defaults9090InThePod_portPlusOneLocally_noServiceMonitor() {
        AksSettings s = parse(Map.of());
        assertThat(s.metricsPort()).isNull();
        assertThat(s.podMetricsPort()).isEqualTo(9090);
        assertThat(s.serviceMonitor()).isFalse();
        Map<String, Object> params = new LinkedHashMap<>(Map.of("name", "svm-moons", "target", "local", "port", 8123));
        var local = PipelineSpec.forStep(Stage.DEPLOY, params, project, null).pipeline().deploy();
        assertThat(local.localMetricsPort()).isEqualTo(8124);
        params.put("metrics_port", 9300);
        assertThat(PipelineSpec.forStep(Stage.DEPLOY, params, project, null).pipeline().deploy().localMetricsPort()).isEqualTo(9300);
        AksSettings given = parse(Map.of("metrics_port", 9400, "service_monitor", true));
        assertThat(given.podMetricsPort()).isEqualTo(9400);
        assertThat(given.serviceMonitor()).isTrue();
    }

    @Test
    void metrics_badValues_eachReportedAtOnce() {
        assertThat(problems(Map.of("metrics_port", 80, "service_monitor", "yes")))
                .anySatisfy(l -> assertThat(l).contains("'metrics_port'").contains("80"))
                .anySatisfy(l -> assertThat(l).contains("'service_monitor' must be true or false; got 'yes'"));
        assertThat(problems(Map.of("metrics_port", 5001)))
                .anySatisfy(l -> assertThat(l).contains("'metrics_port' must differ from the scoring server's port in the pod (5001)"));
        assertThat(problems(Map.of("target", "local", "port", 8200, "metrics_port", 8200)))
                .anySatisfy(l -> assertThat(l).contains("'metrics_port' must differ from 'port' (8200)"));
        assertThat(problems(Map.of("target", "local", "port", 65535)))
                .anySatisfy(l -> assertThat(l).contains("'port' leaves no port for /metrics (port + 1 by default); set 'metrics_port'"));
    }

    @Test
    void defaults_areAzureMlsWhereTheyMakeSense() {
        AksSettings s = parse(Map.of());
        assertThat(s.namespace()).isEqualTo("default");
        assertThat(s.cpuMillis()).isEqualTo(100);
        assertThat(s.memoryMi()).isEqualTo(512);
        assertThat(s.gpus()).isZero();
        assertThat(s.cpuLimitMillis()).isNull();
        assertThat(s.memoryLimitMi()).isNull();
        assertThat(s.numReplicas()).isNull();
        assertThat(s.autoscaleEnabled()).isTrue();
        assertThat(s.autoscaleMinReplicas()).isEqualTo(1);
        assertThat(s.autoscaleMaxReplicas()).isEqualTo(10);
        assertThat(s.autoscaleTargetUtilization()).isEqualTo(70);
        assertThat(s.authEnabled()).isTrue();
        assertThat(s.scoringTimeoutMs()).isNull(); // the image's own setting stays
        assertThat(s.periodSeconds()).isEqualTo(10);
        assertThat(s.initialDelaySeconds()).isEqualTo(310);
        assertThat(s.timeoutSeconds()).isEqualTo(2);
        assertThat(s.failureThreshold()).isEqualTo(3);
        assertThat(s.trafficPercent()).isNull();
        assertThat(s.serviceType()).isEqualTo("ClusterIP");
        assertThat(s.rolloutTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(s.usesAzureCli()).isFalse();
    }

    @Test
    void numReplicas_turnsAutoscaleOffByDefault() {
        AksSettings s = parse(Map.of("num_replicas", 3));
        assertThat(s.autoscaleEnabled()).isFalse();
        assertThat(s.servingReplicas()).isEqualTo(3);
    }

    @Test
    void quantities_becomeMillicoresAndMebibytes() {
        AksSettings s = parse(Map.of("cpu_cores", 0.25, "memory_gb", 1.5, "cpu_cores_limit", 1, "memory_gb_limit", 2));
        assertThat(s.cpuMillis()).isEqualTo(250);
        assertThat(s.memoryMi()).isEqualTo(1536);
        assertThat(s.cpuLimitMillis()).isEqualTo(1000);
        assertThat(s.memoryLimitMi()).isEqualTo(2048);
    }

    @Test
    void readyTimeout_boundsTheRollout() {
        assertThat(parse(Map.of("ready_timeout", "3m")).rolloutTimeout()).isEqualTo(Duration.ofMinutes(3));
    }

    @Test
    void invalidNamespace_isRejectedWithTheRfc1123Rule() {
        assertThat(problems(Map.of("namespace", "ML_Prod"))).containsExactly(
                "aksDeploy: 'namespace' must be an RFC 1123 label (lowercase letters, digits, '-', starting and ending with "
                        + "a letter or digit, at most 63 characters); got 'ML_Prod'");
        assertThat(problems(Map.of("namespace", "a".repeat(64)))).hasSize(1);
        assertThat(problems(Map.of("namespace", "-prod"))).hasSize(1);
    }

    @Test
    void invalidQuantities_areRejectedEachOnOneLine() {
        Map<String, Object> keys = new LinkedHashMap<>();
        keys.put("cpu_cores", "two");
        keys.put("memory_gb", -1);
        keys.put("gpu_cores", 0.5);
        keys.put("autoscale_target_utilization", 120);
        keys.put("period_seconds", 0);
        assertThat(problems(keys)).containsExactlyInAnyOrder(
                "aksDeploy: 'cpu_cores' must be a number of cores greater than 0 and at most 1000, e.g. 0.5; got 'two'",
                "aksDeploy: 'memory_gb' must be a number of GB greater than 0 and at most 4096, e.g. 0.5; got -1",
                "aksDeploy: 'gpu_cores' must be a whole number from 0 to 16 (Kubernetes schedules whole GPUs); got 0.5",
                "aksDeploy: 'autoscale_target_utilization' must be a whole number from 1 to 100; got 120",
                "aksDeploy: 'period_seconds' must be a whole number from 1 to 3600; got 0");
    }

    @Test
    void cpuFinerThanAMillicore_isRejected() {
        assertThat(problems(Map.of("cpu_cores", 0.0005))).containsExactly(
                "aksDeploy: 'cpu_cores' must be a multiple of 0.001 (Kubernetes counts CPU in millicores); got 5.0E-4");
    }

    @Test
    void limitsBelowRequests_areRejected() {
        assertThat(problems(Map.of("cpu_cores", 2, "cpu_cores_limit", 1, "memory_gb", 1, "memory_gb_limit", 0.5))).containsExactly(
                "aksDeploy: 'cpu_cores_limit' must be at least cpu_cores (2); got 1",
                "aksDeploy: 'memory_gb_limit' must be at least memory_gb (1); got 0.5");
    }

    @Test
    void autoscaleWithFixedReplicas_orMinAboveMax_isRejected() {
        assertThat(problems(Map.of("autoscale_enabled", true, "num_replicas", 2))).containsExactly(
                "aksDeploy: 'num_replicas' cannot be combined with autoscale_enabled: true (the autoscaler sets the number of "
                        + "replicas); remove one of them; got 2");
        assertThat(problems(Map.of("autoscale_min_replicas", 5, "autoscale_max_replicas", 2))).containsExactly(
                "aksDeploy: 'autoscale_max_replicas' must be at least autoscale_min_replicas (5); got 2");
    }

    @Test
    void booleansAndEnums_areStrict() {
        assertThat(problems(Map.of("auth_enabled", "yes", "service_type", "NodePort", "traffic_percent", 0))).containsExactlyInAnyOrder(
                "aksDeploy: 'auth_enabled' must be true or false; got 'yes'",
                "aksDeploy: 'service_type' must be 'ClusterIP' or 'LoadBalancer'; got 'NodePort'",
                "aksDeploy: 'traffic_percent' must be a whole number from 1 to 100; got 0");
    }

    @Test
    void azureCluster_needsBothNames() {
        assertThat(parse(Map.of("resource_group", "rg-ml", "cluster_name", "aks-prod")).usesAzureCli()).isTrue();
        assertThat(problems(Map.of("resource_group", "rg-ml"))).containsExactly(
                "aksDeploy: 'resource_group' needs 'cluster_name' too (both name the AKS cluster for az aks get-credentials); got 'rg-ml'");
        assertThat(problems(Map.of("resource_group", "rg.", "cluster_name", "-aks"))).hasSize(2);
    }

    @Test
    void unknownKey_listsEveryParameterOfTheStep() {
        assertThatThrownBy(() -> parse(Map.of("cpu", 1)))
                .hasMessageStartingWith("aksDeploy: unknown parameter 'cpu'. Valid parameters: allowed_keys, auth_enabled, autoscale_enabled, "
                        + "autoscale_max_replicas, autoscale_min_replicas, autoscale_target_utilization, cluster_name, cpu_cores, ");
    }

    @Test
    void targetOtherThanLocalOrAks_isRejected() {
        assertThat(problems(Map.of("target", "aci"))).containsExactly("aksDeploy: 'target' must be 'local' or 'aks'; got 'aci'");
    }
}
