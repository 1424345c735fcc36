# Rendered by powerai (amlEnvSnapshot verify) from the lock files of snapshot abababababababababababababababababababababababababababababababab. Do not edit.
FROM registry.example/lab/conda@sha256:2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e
LABEL io.powerai.snapshot-id="abababababababababababababababababababababababababababababababab" \
      io.powerai.verify="true"
ENV \
    OMP_NUM_THREADS="1"
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends --allow-downgrades \
      tzdata=2024a-0+deb12u1 \
 && rm -rf /var/lib/apt/lists/*
COPY environment.lock.yml /opt/powerai/environment.lock.yml
RUN CONDA_LIBMAMBA_SOLVER_NO_CHANNELS_FROM_INSTALLED=1 conda env update --name base --file /opt/powerai/environment.lock.yml \
 && conda clean --all --yes
COPY requirements.lock /opt/powerai/requirements.lock
RUN PIP_BREAK_SYSTEM_PACKAGES=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore \
    python3 -m pip install --no-cache-dir --no-deps --require-hashes --report /opt/powerai/pip-report.json \
      --requirement /opt/powerai/requirements.lock
