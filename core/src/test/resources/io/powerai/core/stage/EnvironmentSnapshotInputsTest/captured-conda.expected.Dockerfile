# Rendered by powerai (amlEnvSnapshot). Do not edit: change powerai.yaml and snapshot again.
FROM registry.example/lab/conda@sha256:2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e
LABEL io.powerai.snapshot-id="2b8e9b02e470c3d93f26d34d3162d14b76c4d5cd0b2a4c70c298b0b16bda5e79" \
      org.opencontainers.image.title="demo-env" \
      org.opencontainers.image.description="powerai environment snapshot of demo" \
      org.opencontainers.image.version="2b8e9b02e470c3d93f26d34d3162d14b76c4d5cd0b2a4c70c298b0b16bda5e79" \
      org.opencontainers.image.base.name="registry.example/lab/conda:1" \
      org.opencontainers.image.base.digest="sha256:2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e" \
      io.powerai.cuda="12.1" \
      io.powerai.cudnn="8.9" \
      io.powerai.captured-from="127.0.0.1:5000/lab/conda-experiment@sha256:3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f"
ENV \
    OMP_NUM_THREADS="1"
RUN conda install --yes --name base --override-channels --channel conda-forge --channel defaults \
      "conda-forge::numpy=1.26.4=py311h64a7726_0" \
      "scipy=1.12.0=py311h64a7726_2" \
 && conda clean --all --yes
COPY captured-requirements.txt /opt/powerai/captured-requirements.txt
RUN cd /opt/powerai \
 && PIP_BREAK_SYSTEM_PACKAGES=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore \
    python3 -m pip install --no-cache-dir --report /opt/powerai/pip-report.json \
      --requirement /opt/powerai/captured-requirements.txt
