package io.powerai.core.spec;

/**
 * The four stages, named as the pipeline steps that run them; the name prefixes every message, result file
 * and audit record of the stage.
 */
public enum Stage {
    SNAPSHOT("amlEnvSnapshot", "environment"),
    TRAIN("gpuTrain", "train"),
    SCORING_IMAGE("scoringImage", "score"),
    DEPLOY("aksDeploy", "deploy");

    private final String stepName;
    private final String section;

    Stage(String stepName, String section) {
        this.stepName = stepName;
        this.section = section;
    }

    /** The pipeline step's name, used in messages and as the result file's name. */
    public String stepName() {
        return stepName;
    }

    /** The section of powerai.yaml that configures the stage. */
    public String section() {
        return section;
    }

    @Override
    public String toString() {
        return stepName;
    }
}
