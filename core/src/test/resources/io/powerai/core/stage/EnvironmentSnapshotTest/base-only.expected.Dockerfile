# Rendered by powerai (amlEnvSnapshot). Do not edit: change powerai.yaml and snapshot again.
FROM 127.0.0.1:5000/powerai/python-ml@sha256:1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f
LABEL io.powerai.snapshot-id="961435ac178130c221dd238387f4feb973b2feb9de6a31e05d60e5e088b2b24f" \
      org.opencontainers.image.title="svm-moons-env" \
      org.opencontainers.image.description="powerai environment snapshot of svm-moons" \
      org.opencontainers.image.version="961435ac178130c221dd238387f4feb973b2feb9de6a31e05d60e5e088b2b24f" \
      org.opencontainers.image.base.name="127.0.0.1:5000/powerai/python-ml:bookworm" \
      org.opencontainers.image.base.digest="sha256:1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f"
