"""A small CNN (model.py) that tells four synthetic shapes apart (circle, cross, square, triangle): the
deep-learning case of this project, in PyTorch. On the CPU it trains in seconds; on a GPU when one is visible.

Reads $POWERAI_DATA/images.npy.gz and labels.npy.gz (make_data.py), trains a few epochs, reports metrics per
epoch as JSON lines ({"metric": ..., "value": ..., "step": epoch}), and writes the model as TorchScript to
$POWERAI_OUTPUTS/model.pt (the class names inside it), so score.py needs no training code. It then records in
$POWERAI_OUTPUTS/parity.json what score.py answers, in this environment, for a few held-out images: the scoring
image must answer the same before it is pushed (the parity gate).
"""
import argparse
import gzip
import json
import os
import sys
import time

# cuBLAS needs this before CUDA starts to run its matrix products deterministically (ignored on the CPU).
os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from model import ShapeNet  # noqa: E402
from shapes import CLASSES  # noqa: E402


def metric(name, value, step=None):
    record = {"metric": name, "value": value}
    if step is not None:
        record["step"] = step
    print(json.dumps(record), flush=True)


def load(data_dir):
    with gzip.open(os.path.join(data_dir, "images.npy.gz")) as f:
        images = np.load(f, allow_pickle=False)
    with gzip.open(os.path.join(data_dir, "labels.npy.gz")) as f:
        labels = np.load(f, allow_pickle=False)
    return images, labels


def choose_device(wanted):
    if wanted == "cpu":
        return torch.device("cpu")
    if torch.cuda.is_available():
        return torch.device("cuda")
    if wanted == "cuda":
        sys.exit("train.py: --device cuda, but torch %s sees no CUDA device (built with CUDA: %s)"
                 % (torch.__version__, torch.version.cuda or "no"))
    return torch.device("cpu")


def accuracy(model, images, labels, batch_size=256):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(labels), batch_size):
            correct += int((model(images[i:i + batch_size]).argmax(1) == labels[i:i + batch_size]).sum())
    return correct / len(labels)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--lr", type=float, default=3e-3, help="Adam's learning rate")
    parser.add_argument("--test-share", type=float, default=0.2, help="share of the images held out (the last ones)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto",
                        help="auto: the GPU when torch sees one, else the CPU")
    # A fixed count, not the machine's: how a reduction is split over threads changes the rounding, so the same
    # count gives the same model on any machine. One, because this model is too small to share out: on a busy
    # 2-core machine, 2 OpenMP threads that spin waiting for each other took 67 s where 1 took 3 s.
    parser.add_argument("--threads", type=int, default=1, help="CPU threads of torch")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(args.seed)
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.backends.cudnn.benchmark = False
    # oneDNN picks its kernels by the CPU's instruction set, and each rounds its own way: off, the same seed trains
    # the same model on any x86-64 CPU (with ATEN_CPU_CAPABILITY=default, as powerai.yaml sets).
    torch.backends.mkldnn.enabled = False
    device = choose_device(args.device)
    if device.type == "cuda":
        print("device: cuda %s, torch %s, CUDA %s" % (torch.cuda.get_device_name(0), torch.__version__, torch.version.cuda), flush=True)
    else:
        print("device: cpu, %d thread(s), torch %s" % (torch.get_num_threads(), torch.__version__), flush=True)

    data_dir = os.environ.get("POWERAI_DATA", "data")
    outputs = os.environ.get("POWERAI_OUTPUTS", "outputs")
    images, labels = load(data_dir)
    n_test = int(round(len(labels) * args.test_share))
    n_train = len(labels) - n_test
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1).to(device)
    y = torch.from_numpy(labels).to(device)
    x_train, y_train, x_test, y_test = x[:n_train], y[:n_train], x[n_train:], y[n_train:]
    print("loaded %d images from %s: %d to train on, %d held out" % (len(labels), data_dir, n_train, n_test), flush=True)

    # Initialised on the CPU, so that the CPU and the GPU start from the same weights.
    model = ShapeNet(len(CLASSES))
    model.to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    order = torch.Generator().manual_seed(args.seed)
    started = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        model.train()
        total, batches = 0.0, 0
        for batch in torch.randperm(n_train, generator=order).split(args.batch_size):
            batch = batch.to(device)
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x_train[batch]), y_train[batch])
            loss.backward()
            optimizer.step()
            total += float(loss)
            batches += 1
        metric("loss", round(total / batches, 5), epoch)
        metric("test_accuracy", round(accuracy(model, x_test, y_test), 4), epoch)
    seconds = time.perf_counter() - started
    metric("train_accuracy", round(accuracy(model, x_train, y_train), 4))
    metric("train_seconds", round(seconds, 2))
    metric("images_per_second", round(args.epochs * n_train / seconds, 1))
    metric("parameters", sum(p.numel() for p in model.parameters()))

    os.makedirs(outputs, exist_ok=True)
    path = os.path.join(outputs, "model.pt")
    scripted = torch.jit.script(model.cpu().eval())
    torch.jit.save(scripted, path, _extra_files={"classes.json": json.dumps(list(CLASSES))})
    print("model written to %s" % path, flush=True)

    # The answers of score.py itself, loading the file just written: what the scoring image must reproduce.
    os.environ["AZUREML_MODEL_DIR"] = outputs
    import score
    score.init()
    requests = [{"data": images[i:i + 8].tolist()} for i in (n_train, n_train + 8)]
    responses = [score.run(json.dumps(r)) for r in requests]
    with open(os.path.join(outputs, "parity.json"), "w") as f:
        json.dump({"requests": requests, "responses": responses}, f)


if __name__ == "__main__":
    main()
