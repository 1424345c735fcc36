import io.powerai.jenkins.StepRunner

// o16n: deploy the scoring image (AKS or local), smoke-test it, roll back on failure.
// Parameters: vars/aksDeploy.txt; the powerai CLI validates them and does the work (docs/steps/aksDeploy.md).
def call(Map args = [:]) {
    return StepRunner.run(this, 'aksDeploy', args)
}
