package io.powerai.core.kubernetes;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.powerai.core.spec.TrainSpec;

import java.util.List;

/**
 * The pod a training runs in on a Kubernetes agent (Jenkins' kubernetes plugin {@code podTemplate(yaml: ...)}):
 * one container {@value TrainingPods#CONTAINER} from the snapshot image, kept alive for the steps that run in it,
 * built by {@link TrainingPods} as the Job of {@code backend: kubernetes} is: the same GPU limits, tolerations,
 * node selector, requests and {@code /dev/shm} (the Kubernetes settings apply when the spec's backend is
 * {@code kubernetes}; otherwise only the GPU limits, GPU tolerations and {@code /dev/shm}).
 */
public final class TrainingPodTemplate {
    public static final String CONTAINER = TrainingPods.CONTAINER;
    public static final String GPU_RESOURCE = TrainingPods.GPU_RESOURCE;

    private TrainingPodTemplate() {
    }

    /** The pod YAML; byte-for-byte the same for the same inputs. */
    public static String render(String projectName, String image, TrainSpec spec) {
        Pod pod = new PodBuilder()
                .withNewMetadata().withLabels(TrainingPods.labels(projectName)).endMetadata()
                .withSpec(TrainingPods.podSpec(spec)
                        // Jenkins runs the steps inside the container with `container('train') { ... }`: it only has to stay up.
                        .withContainers(TrainingPods.trainContainer(spec, image, spec.env())
                                .withCommand("sleep").withArgs("infinity").withWorkingDir("/home/jenkins/agent").build())
                        .build())
                .build();
        return KubeYaml.yaml(List.of(pod));
    }
}
