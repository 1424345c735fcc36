"""Kernel SVM (RBF SVC) on simulated two-moons data: the first case of the PowerAIWithDocker tutorial.

Reads $POWERAI_DATA/moons.csv, fits an SVC, reports metrics as JSON lines ({"metric": ..., "value": ...}),
and writes the model to $POWERAI_OUTPUTS/model.pkl. It also records the model's answers to a few held-out points
in $POWERAI_OUTPUTS/parity.json, in score.py's request and response format: the scoring image must reproduce them
before it is pushed (the parity gate).
"""
import argparse
import csv
import json
import os
import pickle

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.svm import SVC


def metric(name, value, step=None):
    record = {"metric": name, "value": value}
    if step is not None:
        record["step"] = step
    print(json.dumps(record), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--C", type=float, default=1.0, help="SVM regularisation")
    parser.add_argument("--gamma", type=float, default=2.0, help="RBF kernel width")
    parser.add_argument("--test-size", type=float, default=0.25)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    data_dir = os.environ.get("POWERAI_DATA", "data")
    outputs = os.environ.get("POWERAI_OUTPUTS", "outputs")
    with open(os.path.join(data_dir, "moons.csv")) as f:
        rows = list(csv.DictReader(f))
    x = np.array([[float(r["x1"]), float(r["x2"])] for r in rows])
    y = np.array([int(r["label"]) for r in rows])
    print("loaded %d samples from %s" % (len(y), data_dir), flush=True)

    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=args.test_size, random_state=args.seed, stratify=y)
    model = SVC(kernel="rbf", C=args.C, gamma=args.gamma)
    model.fit(x_train, y_train)
    metric("train_accuracy", round(float(model.score(x_train, y_train)), 4))
    metric("test_accuracy", round(float(model.score(x_test, y_test)), 4))
    metric("support_vectors", int(model.n_support_.sum()))

    os.makedirs(outputs, exist_ok=True)
    with open(os.path.join(outputs, "model.pkl"), "wb") as f:
        pickle.dump(model, f)
    print("model written to %s" % os.path.join(outputs, "model.pkl"), flush=True)

    requests = [{"data": x_test[i:i + 8].tolist()} for i in (0, 8)]
    responses = [{"predictions": model.predict(np.array(r["data"])).tolist()} for r in requests]
    with open(os.path.join(outputs, "parity.json"), "w") as f:
        json.dump({"requests": requests, "responses": responses}, f)


if __name__ == "__main__":
    main()
