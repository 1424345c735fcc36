# Rendered by powerai (dev): the snapshot image plus Jupyter. Never pushed, never trained in.
FROM 127.0.0.1:5000/demo-env:abababababababababababababababababababababababababababababababab@sha256:cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd
LABEL io.powerai.dev-layer="abababababababababababababababababababababababababababababababab"
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      jupyter-notebook \
      python3-ipykernel \
 && rm -rf /var/lib/apt/lists/*
RUN jupyter-notebook --version
