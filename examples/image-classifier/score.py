"""Azure ML entry script for the shape classifier: init() loads the TorchScript model once, run() scores a request.

Request:  {"data": [image, ...]}, each image 28 rows of 28 grey levels from 0 to 255 (or [1][28][28]).
Response: {"classes": [the class names], "predictions": [the class name of each image],
           "probabilities": [[one probability per class, in the order of "classes"], ...]}
"""
import json
import os

import numpy as np
import torch

model = None
classes = None


def init():
    global model, classes
    # The server runs one worker per CPU, each with its own init(): one thread each keeps them from competing.
    torch.set_num_threads(1)
    # As in training: oneDNN's kernels depend on the CPU, so the answers would too.
    torch.backends.mkldnn.enabled = False
    extra = {"classes.json": ""}
    model = torch.jit.load(os.path.join(os.environ["AZUREML_MODEL_DIR"], "model.pt"), map_location="cpu", _extra_files=extra)
    model.eval()
    classes = json.loads(extra["classes.json"])


def images_of(raw_data):
    """The request's images as a float tensor [n, 1, 28, 28] in [0, 1]; ValueError (HTTP 400) says what is wrong."""
    body = json.loads(raw_data)
    if not isinstance(body, dict) or not isinstance(body.get("data"), list) or not body["data"]:
        raise ValueError('expected {"data": [image, ...]} with at least one image')
    try:
        pixels = np.asarray(body["data"], dtype=np.float32)
    except (TypeError, ValueError):
        raise ValueError("every image must be 28 rows of 28 numbers") from None
    if pixels.ndim == 4 and pixels.shape[1] == 1:
        pixels = pixels[:, 0]
    if pixels.shape[1:] != (28, 28):
        raise ValueError("every image must be 28 rows of 28 numbers; got shape %s" % (list(pixels.shape[1:]),))
    if not np.all(np.isfinite(pixels)) or pixels.min() < 0 or pixels.max() > 255:
        raise ValueError("grey levels must be numbers from 0 to 255")
    return torch.from_numpy(pixels / 255.0).unsqueeze(1)


def run(raw_data):
    images = images_of(raw_data)
    with torch.no_grad():
        probabilities = torch.softmax(model(images), dim=1)
    return {
        "classes": classes,
        "predictions": [classes[i] for i in probabilities.argmax(1).tolist()],
        # float32 holds about 7 significant digits: 6 decimals keep what the model knows and drop its noise.
        "probabilities": [[round(p, 6) for p in row] for row in probabilities.tolist()],
    }
