"""Azure ML entry script for the two-moons SVM: init() loads the model once, run() scores a request.

Request:  {"data": [[x1, x2], ...]}
Response: {"predictions": [label, ...]}
"""
import json
import os
import pickle

import numpy as np

model = None


def init():
    global model
    with open(os.path.join(os.environ["AZUREML_MODEL_DIR"], "model.pkl"), "rb") as f:
        model = pickle.load(f)


def run(raw_data):
    features = np.array(json.loads(raw_data)["data"], dtype=float)
    return {"predictions": model.predict(features).tolist()}
