"""Writes data/images.npy.gz and data/labels.npy.gz: 2,000 synthetic 28x28 shape images (shapes.py) and their
class indices, the input of train.py. Run once in the base image (the files are committed):

    docker run --rm -v "$PWD:/p" -w /p 127.0.0.1:5000/powerai/python-torch:bookworm python3 make_data.py

It also writes sample-request.json, the scoring request of the smoke tests: the first image of each class among
those train.py holds out (the last fifth).

`--check` writes nothing: it draws the images again and exits 1 unless the committed files hold the same bytes.
"""
import argparse
import gzip
import io
import os
import sys

import numpy as np

import shapes

SEED = 2024
COUNT_PER_CLASS = 500
HELD_OUT_SHARE = 0.2  # train.py's --test-share default


def gz_npy(array):
    """The array as .npy inside gzip, with no time or file name in the header: the same array, the same bytes."""
    raw = io.BytesIO()
    np.save(raw, array, allow_pickle=False)
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, compresslevel=9, mtime=0) as gz:
        gz.write(raw.getvalue())
    return out.getvalue()


def sample_request(images, labels):
    """{"data": [image, ...]}: one held-out image of each class, an image row per line."""
    held_out = len(labels) - int(round(len(labels) * HELD_OUT_SHARE))
    picks = [held_out + int(np.argmax(labels[held_out:] == c)) for c in range(len(shapes.CLASSES))]
    blocks = []
    for i in picks:
        rows = ",\n".join("    [" + ", ".join(str(int(v)) for v in row) + "]" for row in images[i])
        blocks.append("  [\n" + rows + "\n  ]")
    return ('{"data": [\n' + ",\n".join(blocks) + "\n]}\n").encode()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare with the committed files instead of writing them")
    parser.add_argument("--out", default="data")
    args = parser.parse_args()

    images, labels = shapes.generate(COUNT_PER_CLASS, SEED)
    files = {os.path.join(args.out, "images.npy.gz"): gz_npy(images), os.path.join(args.out, "labels.npy.gz"): gz_npy(labels),
             "sample-request.json": sample_request(images, labels)}
    if args.check:
        stale = [path for path, data in files.items() if not os.path.isfile(path) or open(path, "rb").read() != data]
        if stale:
            print("differs from what make_data.py draws: " + ", ".join(stale), file=sys.stderr)
            sys.exit(1)
        print("%s matches make_data.py (%d images, seed %d)" % (", ".join(files), len(labels), SEED))
        return
    os.makedirs(args.out, exist_ok=True)
    for path, data in files.items():
        with open(path, "wb") as f:
            f.write(data)
    print("wrote %d images of %s to %s, and sample-request.json" % (len(labels), ", ".join(shapes.CLASSES), args.out))


if __name__ == "__main__":
    main()
