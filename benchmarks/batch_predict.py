"""Documents per second of `armstance predict --output X.parquet`: one process against Spark,
on the same White House passages, each run cold; and the memory of each process.

    python benchmarks/batch_predict.py --model models:/armstance@champion [--n 500]
        [--master local[2]] [--repeat 1]

The passages are the first `--n` lines of data/raw/whitehouse.jsonl (after `armstance data
fetch`; speeches, briefings and releases are not blind). Each run is a fresh `armstance
predict` process, so its time includes starting Python, loading the model and, for Spark,
starting the session and its Python workers: a user's first run. While it runs, the
process tree is sampled every 0.2 s for the peak resident memory of the command itself
(the driver), the Spark JVM, and each Spark Python worker. The two tables are compared
(same rows and labels) before anything is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pyarrow.parquet as pq

from armstance.paths import raw_dir

MIB = 1024 * 1024


@dataclass
class Peaks:
    """Peak resident memory (MiB) per process of a command's tree, by role."""

    by_pid: dict[int, tuple[str, float]] = field(default_factory=dict)

    def sample(self, root: psutil.Process) -> None:
        for proc in [root, *root.children(recursive=True)]:
            try:
                rss = proc.memory_info().rss / MIB
                cmdline = " ".join(proc.cmdline())
            except psutil.Error:
                continue
            role = (
                "driver" if proc.pid == root.pid
                else "spark jvm" if cmdline.split(" ")[0].endswith("java")
                else "python worker" if "pyspark" in cmdline
                else "other"
            )  # fmt: skip
            previous = self.by_pid.get(proc.pid, (role, 0.0))[1]
            self.by_pid[proc.pid] = (role, max(previous, rss))

    def summary(self) -> str:
        roles: dict[str, list[float]] = {}
        for role, peak in self.by_pid.values():
            roles.setdefault(role, []).append(peak)
        parts = []
        for role in ("driver", "spark jvm", "python worker"):
            if role in roles:
                peaks = sorted(roles[role], reverse=True)
                shown = ", ".join(f"{p:.0f}" for p in peaks[:4])
                parts.append(f"{role} x{len(peaks)}: {shown} MiB")
        return "; ".join(parts)


def timed(command: list[str], env: dict[str, str]) -> tuple[float, Peaks, str]:
    peaks = Peaks()
    started = time.perf_counter()
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        root = psutil.Process(proc.pid)
        done = threading.Event()

        def watch() -> None:
            while not done.is_set():
                peaks.sample(root)
                done.wait(0.2)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        code = proc.wait()
        seconds = time.perf_counter() - started
        done.set()
        watcher.join()
        log.seek(0)
        output = log.read().decode(errors="replace")
    if code != 0:
        sys.exit(f"{' '.join(command)} failed ({code}):\n{output[-3000:]}")
    return seconds, peaks, output


def passages(n: int, folder: Path) -> Path:
    source = raw_dir() / "whitehouse.jsonl"
    if not source.is_file():
        sys.exit(f"{source} is missing: run `armstance data fetch` first")
    path = folder / "whitehouse.jsonl"
    with open(source, encoding="utf-8") as fh, open(path, "w", encoding="utf-8") as out:
        for count, line in enumerate(fh):
            if count == n:
                break
            out.write(line)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="models:/armstance@champion")
    parser.add_argument("--n", type=int, default=500, help="White House passages")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each engine")
    args = parser.parse_args()
    env = {**os.environ, "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false"}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = passages(args.n, folder)
        lengths = [len(json.loads(line)["text"]) for line in source.read_text("utf-8").splitlines()]
        n, chars = len(lengths), sum(lengths)
        print(
            f"cores available: {len(os.sched_getaffinity(0))}, load average "
            f"{os.getloadavg()[0]:.1f}, documents: {n}, mean length {chars / n:.0f} chars"
        )
        base = [sys.executable, "-m", "armstance.cli", "predict", "--model", args.model]
        base += ["--input", str(source), "--batch-size", str(args.batch_size)]
        engines = {
            "one process": [],
            f"spark {args.master}": ["--engine", "spark", "--master", args.master],
        }
        outputs = {}
        # Engines alternate, so that both meet the same load from other jobs.
        for run in range(args.repeat):
            for label, extra in engines.items():
                out = folder / f"{label.split()[0]}-{run}.parquet"
                seconds, peaks, log = timed([*base, "--output", str(out), *extra], env)
                loads = [line for line in log.splitlines() if "model loaded" in line]
                print(
                    f"{label:<22} {n / seconds:6.1f} documents/s  ({n} in {seconds:.1f} s,"
                    f" cold)  {peaks.summary()}"
                )
                for line in loads:
                    print(f"{'':<22} {line.removeprefix('armstance: ')}")
                outputs[label] = pq.read_table(out)
        first, second = outputs.values()
        labels = ["doc_id", "actor", "stance", "sentiment", "error"]
        same = first.select(labels).to_pylist() == second.select(labels).to_pylist()
        print(f"same rows and labels: {same} ({first.num_rows} rows)")


if __name__ == "__main__":
    main()
