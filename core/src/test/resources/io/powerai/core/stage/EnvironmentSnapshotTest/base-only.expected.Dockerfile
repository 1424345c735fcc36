# Rendered by powerai (amlEnvSnapshot). Do not edit: change powerai.yaml and snapshot again.
FROM 127.0.0.1:5000/powerai/python-ml@sha256:1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f
LABEL io.powerai.snapshot-id="8bb416035de3108370c49b48cf5e6217c9bcb46b1d24597fe9c842b4dab7f6f9" \
      org.opencontainers.image.title="svm-moons-env" \
      org.opencontainers.image.base.name="127.0.0.1:5000/powerai/python-ml:bookworm" \
      org.opencontainers.image.base.digest="sha256:1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f"
