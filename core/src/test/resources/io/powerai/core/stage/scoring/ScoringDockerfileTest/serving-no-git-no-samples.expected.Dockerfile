# Rendered by powerai (scoringImage). Do not edit: change powerai.yaml and build again.
FROM 127.0.0.1:5000/svm-moons-env@sha256:abababababababababababababababababababababababababababababababab
COPY powerai_server.py /var/azureml-server/powerai_server.py
COPY score.py /var/azureml-app/score.py
COPY model/ /var/azureml-app/azureml-models/svm-moons/0123456789ab/
ENV \
    AZUREML_MODEL_DIR="/var/azureml-app/azureml-models/svm-moons/0123456789ab" \
    AZUREML_ENTRY_SCRIPT="/var/azureml-app/score.py" \
    PORT="5001" \
    WORKER_COUNT="3" \
    POWERAI_SCORING_TIMEOUT_MS="1500" \
    POWERAI_MAX_REQUEST_BYTES="4096" \
    POWERAI_SERVER="builtin" \
    POWERAI_PRELOAD="0" \
    PYTHONUNBUFFERED="1" \
    PYTHONDONTWRITEBYTECODE="1"
LABEL \
      io.powerai.scoring-image-id="9999999999999999999999999999999999999999999999999999999999999999" \
      io.powerai.snapshot-id="5555555555555555555555555555555555555555555555555555555555555555" \
      io.powerai.model.sha256="0123456789abcccccccccccccccccccccccccccccccccccccccccccccccccccc" \
      org.opencontainers.image.title="svm-moons-score" \
      org.opencontainers.image.base.name="127.0.0.1:5000/svm-moons-env@sha256:abababababababababababababababababababababababababababababababab"
WORKDIR /var/azureml-app
USER 65534:65534
EXPOSE 5001
CMD ["python3", "/var/azureml-server/powerai_server.py"]
