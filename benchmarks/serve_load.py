"""Requests per second, latency and errors of `mlflow models serve` under concurrent clients.

    python benchmarks/serve_load.py [--model models:/armstance@champion] [--workers 1]
        [--clients 4] [--requests 200] [--seconds 60] [--docs-per-request 1]
    python benchmarks/serve_load.py --url http://127.0.0.1:5001 ...   # a server already up

Starts a loopback server of the model (or targets one on this machine), sends one warm-up
request, then lets `--clients` threads post `/invocations` until `--requests` requests are
sent or `--seconds` have passed, whichever comes first. Each request carries
`--docs-per-request` labelled train+dev documents without `lang`, so detection runs too
(blind documents are never used here).
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from urllib.parse import urlparse

from armstance.corpus import ensure_corpus, load_gold
from armstance.prediction.serving import post_json, served
from armstance.tracking.store import configured_tracking, tracking_uri

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def payloads(docs_per_request: int) -> Iterator[dict]:
    """Request bodies cycling over the labelled documents."""
    docs = [{"doc_id": d.doc_id, "text": d.text} for d in [*load_gold("train"), *load_gold("dev")]]
    batches = [docs[i : i + docs_per_request] for i in range(0, len(docs), docs_per_request)]
    return itertools.cycle({"dataframe_records": batch} for batch in batches)


@contextmanager
def target(args: argparse.Namespace) -> Iterator[str]:
    if args.url:
        if urlparse(args.url).hostname not in LOOPBACK:
            raise SystemExit(f"--url must be a loopback address ({', '.join(LOOPBACK)})")
        yield args.url.rstrip("/")
        return
    env = {**os.environ, "MLFLOW_TRACKING_URI": tracking_uri(configured_tracking().uri)}
    with served(args.model, env, workers=args.workers) as url:
        yield url


def run_load(url: str, args: argparse.Namespace) -> None:
    bodies = payloads(args.docs_per_request)
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    sent = 0
    deadline = time.monotonic() + args.seconds

    def client() -> None:
        nonlocal sent
        while True:
            with lock:
                if sent >= args.requests or time.monotonic() > deadline:
                    return
                sent += 1
                body = next(bodies)
            started = time.perf_counter()
            try:
                status, answer = post_json(f"{url}/invocations", body, timeout=args.seconds)
                problem = None if status == 200 else f"HTTP {status}: {str(answer)[:200]}"
            except OSError as exc:
                problem = f"{type(exc).__name__}: {exc}"
            elapsed = time.perf_counter() - started
            with lock:
                if problem:
                    errors.append(problem)
                else:
                    latencies.append(elapsed)

    status, answer = post_json(f"{url}/invocations", next(bodies), timeout=120)  # warm-up
    if status != 200:
        raise SystemExit(f"warm-up request failed: HTTP {status}: {answer}")
    started = time.perf_counter()
    with ThreadPoolExecutor(args.clients) as pool:
        for future in [pool.submit(client) for _ in range(args.clients)]:
            future.result()
    wall = time.perf_counter() - started
    report(latencies, errors, wall, args)


def report(latencies: list[float], errors: list[str], wall: float, args: argparse.Namespace):
    done = len(latencies) + len(errors)
    print(
        f"{done} requests ({args.docs_per_request} doc(s) each) from {args.clients} clients "
        f"in {wall:.1f} s, server workers: {args.workers if not args.url else 'unknown'}"
    )
    judged = len(latencies) * args.docs_per_request
    print(f"requests/s {done / wall:.2f}   documents/s {judged / wall:.1f}")
    if len(latencies) >= 2:
        p95 = statistics.quantiles(latencies, n=20, method="inclusive")[18]
        p50 = statistics.median(latencies)
        print(f"latency p50 {p50 * 1000:.0f} ms   p95 {p95 * 1000:.0f} ms")
    print(f"errors {len(errors)}")
    for problem in sorted(set(errors))[:5]:
        print(f"  {problem}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="models:/armstance@champion")
    parser.add_argument("--url", help="a server already running on this machine")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers of the server")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=200, help="at most this many")
    parser.add_argument("--seconds", type=float, default=60, help="at most this long")
    parser.add_argument("--docs-per-request", type=int, default=1)
    args = parser.parse_args()
    ensure_corpus()
    with target(args) as url:
        run_load(url, args)


if __name__ == "__main__":
    main()
