# Rendered by powerai (dev): the snapshot image plus Jupyter. Never pushed, never trained in.
FROM 127.0.0.1:5000/demo-env:abababababababababababababababababababababababababababababababab@sha256:cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd
LABEL io.powerai.dev-layer="abababababababababababababababababababababababababababababababab"
RUN PIP_BREAK_SYSTEM_PACKAGES=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore \
    python3 -m pip install --no-cache-dir notebook
RUN jupyter-notebook --version
