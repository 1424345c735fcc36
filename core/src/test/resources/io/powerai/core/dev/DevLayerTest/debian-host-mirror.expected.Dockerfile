# Rendered by powerai (dev): the snapshot image plus Jupyter. Never pushed, never trained in.
FROM 127.0.0.1:5000/demo-env:abababababababababababababababababababababababababababababababab@sha256:cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd
LABEL io.powerai.dev-layer="abababababababababababababababababababababababababababababababab"
RUN echo "deb http://mirror.example/debian bookworm main" > /tmp/powerai-dev.list \
 && apt-get -o Dir::Etc::SourceList=/tmp/powerai-dev.list -o Dir::Etc::SourceParts=/nonexistent update \
 && DEBIAN_FRONTEND=noninteractive apt-get -o Dir::Etc::SourceList=/tmp/powerai-dev.list -o Dir::Etc::SourceParts=/nonexistent install -y --no-install-recommends \
      jupyter-notebook \
      python3-ipykernel \
      python3-pip \
 && rm -rf /var/lib/apt/lists/* /tmp/powerai-dev.list
RUN jupyter-notebook --version
