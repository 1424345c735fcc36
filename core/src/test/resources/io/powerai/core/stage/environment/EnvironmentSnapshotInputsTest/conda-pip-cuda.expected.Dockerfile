# Rendered by powerai (amlEnvSnapshot). Do not edit: change powerai.yaml and snapshot again.
FROM registry.example/lab/conda@sha256:2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e
LABEL io.powerai.snapshot-id="0fd965fe005c8ca90182d0fa42edbccb24b6bddbdf515b6bedcd8b53343d112f" \
      org.opencontainers.image.title="demo-env" \
      org.opencontainers.image.description="powerai environment snapshot of demo" \
      org.opencontainers.image.version="0fd965fe005c8ca90182d0fa42edbccb24b6bddbdf515b6bedcd8b53343d112f" \
      org.opencontainers.image.base.name="registry.example/lab/conda:1" \
      org.opencontainers.image.base.digest="sha256:2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e" \
      io.powerai.cuda="12.1" \
      io.powerai.cudnn="8.9"
ENV \
    OMP_NUM_THREADS="1"
COPY project/ /opt/powerai/project/
RUN CONDA_LIBMAMBA_SOLVER_NO_CHANNELS_FROM_INSTALLED=1 conda env update --name base --file /opt/powerai/project/envs/environment.yml \
 && conda clean --all --yes
RUN cd /opt/powerai/project/reqs \
 && PIP_BREAK_SYSTEM_PACKAGES=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore \
    python3 -m pip install --no-cache-dir --report /opt/powerai/pip-report.json \
      --requirement requirements.txt
