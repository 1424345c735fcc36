# Rendered by powerai (amlEnvSnapshot). Do not edit: change powerai.yaml and snapshot again.
FROM 127.0.0.1:5000/powerai/python-ml@sha256:1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f
LABEL io.powerai.snapshot-id="5c8c4e818944c682c8c8e68f29304c05422e4d06aacc73444efa6e233ed562ea" \
      org.opencontainers.image.title="svm-moons-env" \
      org.opencontainers.image.description="powerai environment snapshot of svm-moons" \
      org.opencontainers.image.version="5c8c4e818944c682c8c8e68f29304c05422e4d06aacc73444efa6e233ed562ea" \
      org.opencontainers.image.base.name="127.0.0.1:5000/powerai/python-ml:bookworm" \
      org.opencontainers.image.base.digest="sha256:1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f"
ENV \
    GREETING="say \"hi\"" \
    OMP_NUM_THREADS="1" \
    PRICE="\$HOME costs \${EUR}5" \
    WIN_PATH="C:\\tools\\bin"
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      curl \
      libgomp1 \
 && rm -rf /var/lib/apt/lists/*
COPY project/ /opt/powerai/project/
RUN cd /opt/powerai/project \
 && PIP_BREAK_SYSTEM_PACKAGES=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore \
    python3 -m pip install --no-cache-dir --report /opt/powerai/pip-report.json \
      --requirement requirements.txt
