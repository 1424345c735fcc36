# Rendered by powerai (amlEnvSnapshot). Do not edit: change powerai.yaml and snapshot again.
FROM 127.0.0.1:5000/powerai/python-ml@sha256:1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f
LABEL io.powerai.snapshot-id="ffe751265fadf6db9cea0c9ca291e46e25c39cc3d333c121124cfa3e4abcd04a" \
      org.opencontainers.image.title="svm-moons-env" \
      org.opencontainers.image.description="powerai environment snapshot of svm-moons" \
      org.opencontainers.image.version="ffe751265fadf6db9cea0c9ca291e46e25c39cc3d333c121124cfa3e4abcd04a" \
      org.opencontainers.image.base.name="127.0.0.1:5000/powerai/python-ml:bookworm" \
      org.opencontainers.image.base.digest="sha256:1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f"
