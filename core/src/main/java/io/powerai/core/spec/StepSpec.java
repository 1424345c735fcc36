package io.powerai.core.spec;

import java.util.Set;

/**
 * One pipeline step's spec: the pipeline it implies (only the step's section is present) and the image it
 * was handed, which replaces the previous stage's result in the workspace (for example
 * {@code gpuTrain(image: env.image, ...)}).
 */
public record StepSpec(PipelineSpec pipeline, String image) {

    /** Parameters a step takes beyond its section's keys and the project's name and registry. */
    static Set<String> extras(Stage stage) {
        return switch (stage) {
            case TRAIN, DEPLOY -> Set.of("image");
            case SNAPSHOT, SCORING_IMAGE -> Set.of();
        };
    }
}
