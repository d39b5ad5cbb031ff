"""Mixed load from its own process: C keep-alive connections (threads) replay a mix of
the member endpoints for a fixed time, then one JSON line with requests/s, p50, p95
and errors is printed. Run by bench/run.py; stdlib only.

    python bench/load.py --port 8765 --token ACCESS --plan plan.json --seconds 30
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import threading
import time
from typing import Any


def worker(args, plan, stop_at, results, lock, seed):
    rng = random.Random(seed)
    latencies, errors, statuses = [], 0, {}
    connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
    headers = {"Authorization": f"Bearer {args.token}", "Content-Type": "application/json"}
    mix = plan["mix"]
    weights = [item["weight"] for item in mix]
    sequence = 0
    while time.perf_counter() < stop_at:
        item = rng.choices(mix, weights)[0]
        body = None
        if item["method"] == "POST":
            sequence += 1
            body = json.dumps({**item["body"], "message_text": f"load test {seed} {sequence}"})
        started = time.perf_counter()
        try:
            connection.request(item["method"], item["path"], body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            status = 0
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
        latencies.append(time.perf_counter() - started)
        statuses[status] = statuses.get(status, 0) + 1
        if status == 0 or status >= 400:
            errors += 1
    connection.close()
    with lock:
        results["latencies"].extend(latencies)
        results["errors"] += errors
        for status, count in statuses.items():
            results["statuses"][status] = results["statuses"].get(status, 0) + count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--plan", required=True, help="JSON file with the request mix")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    with open(args.plan) as handle:
        plan = json.load(handle)
    results: dict[str, Any] = {"latencies": [], "errors": 0, "statuses": {}}
    lock = threading.Lock()
    started = time.perf_counter()
    stop_at = started + min(args.seconds, 60)
    threads = [
        threading.Thread(target=worker, args=(args, plan, stop_at, results, lock, n))
        for n in range(args.connections)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies = sorted(results["latencies"])
    count = len(latencies)

    def pct(p):
        return latencies[min(count - 1, int(p * count))] * 1000 if count else 0.0

    print(
        json.dumps(
            {
                "requests": count,
                "seconds": round(elapsed, 1),
                "rps": round(count / elapsed, 1),
                "p50_ms": round(pct(0.50), 2),
                "p95_ms": round(pct(0.95), 2),
                "errors": results["errors"],
                "statuses": results["statuses"],
                "connections": args.connections,
            }
        )
    )


if __name__ == "__main__":
    main()
