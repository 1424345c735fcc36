import io.powerai.jenkins.StepRunner

// e13n: run the training script in the snapshot image on this agent; outputs hashed, metrics captured.
// Parameters: vars/gpuTrain.txt; the powerai CLI validates them and does the work (docs/steps/gpuTrain.md).
def call(Map args = [:]) {
    return StepRunner.run(this, 'gpuTrain', args)
}
