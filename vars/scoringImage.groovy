import io.powerai.jenkins.StepRunner

// SS: build, smoke-test and push the inference image (model + Azure-ML-style score.py).
// Parameters: vars/scoringImage.txt; the powerai CLI validates them and does the work (docs/steps/scoringImage.md).
def call(Map args = [:]) {
    return StepRunner.run(this, 'scoringImage', args)
}
