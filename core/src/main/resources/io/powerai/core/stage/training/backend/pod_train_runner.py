"""Runs a powerai training inside the training container of a Jenkins Kubernetes agent pod.

The powerai CLI runs in the pod's agent container, which has Java but not the snapshot image; the training
runs in the pod's "train" container, which has the image but no Java. `powerai train --pod prepare` writes
this file and its JSON configuration into the workspace (shared by both containers), the pipeline step runs
`python3 <this file> <config>` in the training container, and `powerai train --pod record` reads what this
wrote: the log, the exit status, and the GPUs and their use as nvidia-smi saw them from inside the container.

Only the standard library: the image is whatever the snapshot pinned.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time


def main(config_path):
    with open(config_path, encoding="utf-8") as f:
        config = json.load(f)
    env = dict(os.environ)
    env.update(config["env"])
    nvidia_smi = shutil.which(config.get("nvidiaSmi", "nvidia-smi"))
    sampler = None
    if nvidia_smi:
        with open(config["gpuXml"], "wb") as out:
            subprocess.run([nvidia_smi, "-q", "-x"], stdout=out, stderr=subprocess.STDOUT, timeout=30, check=False)
        if config.get("sampleFields"):
            samples = open(config["samples"], "wb")
            sampler = subprocess.Popen([nvidia_smi, "--query-gpu=" + ",".join(config["sampleFields"]),
                                        "--format=csv,noheader,nounits", "-lms", str(config["sampleIntervalMillis"])],
                                       stdout=samples, stderr=subprocess.DEVNULL)
    started = time.time()
    # A session of its own: at the timeout the whole tree (data-loader workers included) is stopped.
    training = subprocess.Popen(config["command"], cwd=config["cwd"], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, start_new_session=True)
    timed_out = threading.Event()

    def stop_at_timeout():
        timed_out.set()
        try:
            os.killpg(training.pid, signal.SIGTERM)
            for _ in range(100):
                if training.poll() is not None:
                    return
                time.sleep(0.1)
            os.killpg(training.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    timer = threading.Timer(config["timeoutSeconds"], stop_at_timeout)
    timer.daemon = True
    timer.start()
    with open(config["log"], "wb") as log:
        for line in training.stdout:
            log.write(line)
            log.flush()
            sys.stdout.buffer.write(line)
            sys.stdout.flush()
    code = training.wait()
    timer.cancel()
    if sampler is not None:
        sampler.terminate()
        sampler.wait(timeout=10)
    # As a shell reports it: a process ended by signal N exits 128 + N (137 is SIGKILL, the OOM killer's).
    exit_code = code if code >= 0 else 128 - code
    record = {"exitCode": exit_code, "timedOut": timed_out.is_set(),
              "durationMillis": int((time.time() - started) * 1000), "nvidiaSmi": bool(nvidia_smi)}
    tmp = config["exit"] + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(record, f)
    os.replace(tmp, config["exit"])
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.stderr.write("usage: python3 pod_train_runner.py CONFIG.json\n")
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
