# Rendered by powerai (amlEnvSnapshot). Do not edit: change powerai.yaml and snapshot again.
FROM registry.example/lab/conda@sha256:2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e
LABEL io.powerai.snapshot-id="183ea927f82322469d2cdb2e4f0d13d9119238d911d800d85a8e3741274d3269" \
      org.opencontainers.image.title="demo-env" \
      org.opencontainers.image.description="powerai environment snapshot of demo" \
      org.opencontainers.image.version="183ea927f82322469d2cdb2e4f0d13d9119238d911d800d85a8e3741274d3269" \
      org.opencontainers.image.base.name="registry.example/lab/conda:1" \
      org.opencontainers.image.base.digest="sha256:2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e" \
      io.powerai.cuda="12.1" \
      io.powerai.cudnn="8.9" \
      io.powerai.captured-from="127.0.0.1:5000/lab/experiment@sha256:3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f"
ENV \
    OMP_NUM_THREADS="1"
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      curl=7.88.1-10+deb12u8 \
      libgomp1=12.2.0-14 \
 && rm -rf /var/lib/apt/lists/*
COPY project/ /opt/powerai/project/
COPY captured-requirements.txt /opt/powerai/captured-requirements.txt
RUN cd /opt/powerai/project/reqs \
 && PIP_BREAK_SYSTEM_PACKAGES=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore \
    python3 -m pip install --no-cache-dir --report /opt/powerai/pip-report.json \
      --requirement requirements.txt \
      --requirement /opt/powerai/captured-requirements.txt
