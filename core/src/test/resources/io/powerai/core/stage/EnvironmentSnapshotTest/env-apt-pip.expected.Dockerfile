# Rendered by powerai (amlEnvSnapshot). Do not edit: change powerai.yaml and snapshot again.
FROM 127.0.0.1:5000/powerai/python-ml@sha256:1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f
LABEL io.powerai.snapshot-id="9ba70900764ad16c80c8aad2a36739c71b444ef48488327c602b078a2b4db11c" \
      org.opencontainers.image.title="svm-moons-env" \
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
COPY requirements.txt /opt/powerai/requirements.txt
RUN python3 -m pip install --no-cache-dir --requirement /opt/powerai/requirements.txt
