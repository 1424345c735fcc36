package io.powerai.core.stage.deploy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.powerai.core.stage.SmokeTransport.Answer;
import io.powerai.core.stage.SmokeTransport.Request;
import io.powerai.core.PowerAiException;
import io.powerai.core.stage.ScoringServerProcess;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The smoke test's way to a pod, with the kubelet's part played here (the mock API server runs no pods): for the
 * Deployment the selector picks, the container's environment is resolved as the kubelet resolves it (plain values,
 * and {@code secretKeyRef}s from the Secret stored in the API server), and powerai's real scoring server runs with
 * it as a local process (one per Deployment and environment), serving a score.py that answers {@code [1]}.
 */
final class ScoringServerPods implements PodTransport, AutoCloseable {
    record Sent(Map<String, String> selector, Request request) {
    }

    final List<Sent> sent = new ArrayList<>();
    private final KubernetesClient client;
    private final Path dir;
    private final Map<String, ScoringServerProcess> servers = new LinkedHashMap<>();

    ScoringServerPods(KubernetesClient client, Path dir) {
        this.client = client;
        this.dir = dir;
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("score.py"), "def init():\n    pass\n\ndef run(raw_data):\n    return [1]\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Answer send(String namespace, Map<String, String> podSelector, Request request) {
        sent.add(new Sent(podSelector, request));
        Deployment deployment = client.apps().deployments().inNamespace(namespace).list().getItems().stream()
                .filter(d -> d.getSpec().getSelector().getMatchLabels().equals(podSelector))
                .findFirst()
                .orElseThrow(() -> new PowerAiException.StageFailed("no Deployment selects " + podSelector));
        ScoringServerProcess server = serverOf(namespace, deployment);
        try {
            HttpResponse<String> answer = server.send(request.method(), request.path(), request.body(), request.headers(), request.timeout());
            return new Answer(answer.statusCode(), answer.body());
        } catch (IOException e) {
            throw new PowerAiException.StageFailed("the scoring server of " + deployment.getMetadata().getName() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PowerAiException.StageFailed("interrupted");
        }
    }

    /** The scoring server that runs {@code deployment}'s container as it is now (started on first use). */
    ScoringServerProcess serverOf(String namespace, Deployment deployment) {
        Map<String, String> env = kubeletEnvironment(namespace, deployment.getSpec().getTemplate().getSpec().getContainers().get(0));
        return servers.computeIfAbsent(deployment.getMetadata().getName() + env, k -> start(env));
    }

    /** Where {@code deployment}'s pod listens, for a port-forward to reach it. */
    InetSocketAddress addressOf(String namespace, Deployment deployment) {
        URI uri = URI.create(serverOf(namespace, deployment).baseUrl());
        return new InetSocketAddress(uri.getHost(), uri.getPort());
    }

    /** As the kubelet: a secretKeyRef to a missing Secret or key keeps the container from starting. */
    private Map<String, String> kubeletEnvironment(String namespace, Container container) {
        Map<String, String> env = new TreeMap<>();
        for (EnvVar variable : container.getEnv()) {
            if (variable.getValueFrom() == null) {
                env.put(variable.getName(), variable.getValue());
                continue;
            }
            SecretKeySelector ref = variable.getValueFrom().getSecretKeyRef();
            Secret secret = client.secrets().inNamespace(namespace).withName(ref.getName()).get();
            if (secret == null || secret.getData() == null || !secret.getData().containsKey(ref.getKey())) {
                throw new PowerAiException.StageFailed("CreateContainerConfigError: secret " + ref.getName() + " key " + ref.getKey());
            }
            env.put(variable.getName(), new String(Base64.getDecoder().decode(secret.getData().get(ref.getKey())), StandardCharsets.UTF_8));
        }
        env.remove("PORT"); // the process listens on a free loopback port of its own
        env.remove("HOST");
        return env;
    }

    private ScoringServerProcess start(Map<String, String> env) {
        Map<String, String> all = new TreeMap<>(env);
        all.put("AZUREML_ENTRY_SCRIPT", dir.resolve("score.py").toString());
        try {
            return ScoringServerProcess.start(dir, all, true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PowerAiException.StageFailed("interrupted");
        }
    }

    @Override
    public void close() {
        servers.values().forEach(ScoringServerProcess::close);
    }
}
