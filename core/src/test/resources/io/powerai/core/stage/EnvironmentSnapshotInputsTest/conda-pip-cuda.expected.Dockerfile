# Rendered by powerai (amlEnvSnapshot). Do not edit: change powerai.yaml and snapshot again.
FROM registry.example/lab/conda@sha256:2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e
LABEL io.powerai.snapshot-id="b2f94f1c00171a200af9941b1e7a72c0e4813cdc5136bcba3dc9deb8ebc7445c" \
      org.opencontainers.image.title="demo-env" \
      org.opencontainers.image.description="powerai environment snapshot of demo" \
      org.opencontainers.image.version="b2f94f1c00171a200af9941b1e7a72c0e4813cdc5136bcba3dc9deb8ebc7445c" \
      org.opencontainers.image.base.name="registry.example/lab/conda:1" \
      org.opencontainers.image.base.digest="sha256:2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e" \
      io.powerai.cuda="12.1" \
      io.powerai.cudnn="8.9"
ENV \
    OMP_NUM_THREADS="1"
COPY project/ /opt/powerai/project/
RUN conda env update --name base --file /opt/powerai/project/envs/environment.yml \
 && conda clean --all --yes
RUN cd /opt/powerai/project/reqs \
 && PIP_BREAK_SYSTEM_PACKAGES=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore \
    python3 -m pip install --no-cache-dir --report /opt/powerai/pip-report.json \
      --requirement requirements.txt
