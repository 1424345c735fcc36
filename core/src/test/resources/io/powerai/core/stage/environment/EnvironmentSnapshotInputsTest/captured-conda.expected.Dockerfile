# Rendered by powerai (amlEnvSnapshot). Do not edit: change powerai.yaml and snapshot again.
FROM registry.example/lab/conda@sha256:2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e
LABEL io.powerai.snapshot-id="64d8bcf168335a1ff07831c9094d34a77205c01a734cd27a2b6fd1b338b507e6" \
      org.opencontainers.image.title="demo-env" \
      org.opencontainers.image.description="powerai environment snapshot of demo" \
      org.opencontainers.image.version="64d8bcf168335a1ff07831c9094d34a77205c01a734cd27a2b6fd1b338b507e6" \
      org.opencontainers.image.base.name="registry.example/lab/conda:1" \
      org.opencontainers.image.base.digest="sha256:2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e" \
      io.powerai.cuda="12.1" \
      io.powerai.cudnn="8.9" \
      io.powerai.captured-from="127.0.0.1:5000/lab/conda-experiment@sha256:3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f"
ENV \
    OMP_NUM_THREADS="1"
RUN CONDA_LIBMAMBA_SOLVER_NO_CHANNELS_FROM_INSTALLED=1 conda install --yes --name base --override-channels --channel https://conda.anaconda.org/conda-forge --channel http://127.0.0.1:8000/lab-channel \
      "https://conda.anaconda.org/conda-forge::numpy=1.26.4=py311h64a7726_0" \
      "http://127.0.0.1:8000/lab-channel::tinycondapkg=1.0.0=0" \
 && conda clean --all --yes
COPY captured-requirements.txt /opt/powerai/captured-requirements.txt
RUN cd /opt/powerai \
 && PIP_BREAK_SYSTEM_PACKAGES=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore \
    python3 -m pip install --no-cache-dir --report /opt/powerai/pip-report.json \
      --requirement /opt/powerai/captured-requirements.txt
