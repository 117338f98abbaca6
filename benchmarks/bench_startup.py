"""Start-up: a cold `python -m bot ask`, and launching `app.py` until its first answer over HTTP.

Both run on the index the settings name (the corpus's, as `make run` builds it; the index is
brought up to date once first, so its build is not timed). Each run is a fresh process; this
process imports nothing heavy, so it does not compete for the CPU with what it times.

- **ask**: wall time of `python -m bot ask "全省有多少家养老机构？"`, start to exit.
- **first answer**: from starting `python app.py` until `POST /api/ask` first returns an answer
  (asked every 20 ms while the server is not yet listening), then the server is stopped.

Usage:
    python benchmarks/bench_startup.py [--runs 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "全省有多少家养老机构？"
EXPECTED = "1558"  # the answer's figure, so a refusal or an error page does not count
POLL_S = 0.02
TIMEOUT_S = 60


def cold_ask_s() -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bot", "ask", QUESTION], cwd=ROOT, capture_output=True, text=True, check=True
    )
    elapsed = time.perf_counter() - started
    if EXPECTED not in done.stdout:
        raise SystemExit(f"the cold ask did not answer with {EXPECTED}:\n{done.stdout}{done.stderr}")
    return elapsed


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def first_answer_s() -> float:
    """Seconds from launching app.py until /api/ask answers the question."""
    port = free_port()
    env = os.environ | {"YINLING_HOST": "127.0.0.1", "YINLING_PORT": str(port)}
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/ask",
        data=json.dumps({"question": QUESTION}).encode(),
        headers={"content-type": "application/json"},
    )
    started = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "app.py"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        while time.perf_counter() - started < TIMEOUT_S:
            if server.poll() is not None:
                raise SystemExit(f"app.py exited with {server.returncode} before answering")
            try:
                with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
                    body = json.loads(response.read())
            except (ConnectionError, urllib.error.URLError):
                time.sleep(POLL_S)
                continue
            elapsed = time.perf_counter() - started
            if EXPECTED not in body["answer"]:
                raise SystemExit(f"the first answer did not hold {EXPECTED}: {body['answer']}")
            return elapsed
        raise SystemExit(f"app.py did not answer within {TIMEOUT_S} s")
    finally:
        server.terminate()
        server.wait(timeout=30)


def summary(values: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(values), 2), "min": round(min(values), 2), "max": round(max(values), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each (default 5)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    subprocess.run([sys.executable, "-m", "index", "build"], cwd=ROOT, check=True, capture_output=True)
    cold_ask_s()  # warm the file cache: a first run after install reads every library from disk
    results = {
        "ask_s": summary([cold_ask_s() for _ in range(args.runs)]),
        "first_answer_s": summary([first_answer_s() for _ in range(args.runs)]),
    }
    if args.json:
        print(json.dumps(results))
        return
    print(f"{args.runs} runs each, seconds (median, min–max)")
    for name, label in (("ask_s", "cold `python -m bot ask`"), ("first_answer_s", "app.py to its first answer")):
        figure = results[name]
        print(f"{label}: {figure['median']} ({figure['min']}–{figure['max']})")


if __name__ == "__main__":
    main()
