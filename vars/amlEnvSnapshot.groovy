import io.powerai.jenkins.StepRunner

// EO: pin the experimentation environment into an image on a base pinned by digest.
// Parameters: vars/amlEnvSnapshot.txt; the powerai CLI validates them and does the work (docs/steps/amlEnvSnapshot.md).
def call(Map args = [:]) {
    return StepRunner.run(this, 'amlEnvSnapshot', args)
}
