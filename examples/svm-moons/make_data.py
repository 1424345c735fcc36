"""Writes data/moons.csv: simulated two-moons data, the input of train.py (run once; the CSV is committed).

    python3 make_data.py            # inside the base image: numpy and scikit-learn come from Debian
"""
import csv
import os

from sklearn.datasets import make_moons

features, labels = make_moons(n_samples=400, noise=0.15, random_state=7)
os.makedirs("data", exist_ok=True)
with open(os.path.join("data", "moons.csv"), "w", newline="") as out:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["x1", "x2", "label"])
    for (x1, x2), label in zip(features, labels):
        writer.writerow(["%.6f" % x1, "%.6f" % x2, int(label)])
