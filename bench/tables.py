"""The README's Performance tables from several benchmark runs: each figure the median of
the runs (of the p50s, and of each run's own ratios), so that one slow moment of a shared
machine does not stand for the code.

    .venv/bin/python bench/tables.py \\
        --sqlite bench/data/results-sqlite-*.json --mysql bench/data/results-mysql-*.json

`bench/run.py` keeps every run's results as `results-<database>-<UTC time>.json` beside
the newest (`results-<database>.json`). Each run should hold both sizes and the peer
(`make bench-peer`).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from statistics import median

ME, BARE = "auth/me", "bare view"
PEER_PAIRS = [
    ("bare view / postman's one-query view", BARE, "postman: one-query view"),
    ("inbox", "inbox", "postman: inbox"),
    ("conversation / thread page", "conversation", "postman: thread"),
    ("unread-count", "unread-count", "postman: unread count"),
    ("send / reply", "send", "postman: reply"),
]


def _columns(args: argparse.Namespace) -> list[tuple[str, list[dict]]]:
    runs = {
        name: [json.loads(Path(f).read_text()) for f in files]
        for name, files in (("SQLite", args.sqlite), ("MariaDB", args.mysql))
        if files
    }
    return [
        (f"{name} {size.upper() if size == '1m' else size}", [run[size] for run in found])
        for name, found in runs.items()
        for size in ("10k", "1m")
    ]


def _row(title: str, cells: list[str]) -> str:
    return f"| {title} | " + " | ".join(cells) + " |"


def _ratio(runs: list[dict], name: str, reference: str) -> list[float]:
    return [run["results"][name]["p50"] / run["results"][reference]["p50"] for run in runs]


def _p50(runs: list[dict], name: str) -> float:
    return median(run["results"][name]["p50"] for run in runs)


def _endpoint_cell(runs: list[dict], name: str) -> str:
    if name == BARE:
        return f"{_p50(runs, name):.2f}"
    if name == ME:
        ratios = _ratio(runs, ME, BARE)
        spread = f"; {min(ratios):.2f}-{max(ratios):.2f}" if len(runs) > 1 else ""
        return f"{_p50(runs, name):.2f} ({median(ratios):.2f}× bare view{spread})"
    return f"{_p50(runs, name):.2f} ({median(_ratio(runs, name, ME)):.2f}×)"


def _searches(run: dict) -> list[str]:
    return [name for name in run["results"] if name.startswith("search ")]


def _search_cell(runs: list[dict], position: int) -> str:
    names = [_searches(run)[position] for run in runs]
    p50 = median(run["results"][name]["p50"] for run, name in zip(runs, names, strict=True))
    ratio = median(
        run["results"][name]["p50"] / run["results"][ME]["p50"]
        for run, name in zip(runs, names, strict=True)
    )
    # The most frequent word is the data's own, and may differ between runs.
    words = sorted({name.removeprefix("search ") for name in names})
    tag = " " + "/".join(f"`{word}`" for word in words) if position == 0 else ""
    return f"{p50:.2f}{tag} ({ratio:.2f}×)"


def endpoint_table(columns: list[tuple[str, list[dict]]]) -> list[str]:
    count = len(columns[0][1])
    lines = [
        _row(f"p50 ms (× `/api/auth/me`), median of {count} runs", [c for c, _ in columns]),
        _row("---", ["---"] * len(columns)),
    ]
    first = columns[0][1][0]["results"]
    for name in (name for name in first if not name.startswith("search ")):
        lines.append(_row(name, [_endpoint_cell(runs, name) for _, runs in columns]))
    reference = columns[-1][1][0]
    for position, name in enumerate(_searches(reference)):
        title = "search, most frequent word" if position == 0 else f"search `{name[7:]}`"
        lines.append(_row(title, [_search_cell(runs, position) for _, runs in columns]))
    load = [
        f"{median(r['load']['rps'] for r in runs):.1f} "
        f"({median(r['load']['p95_ms'] for r in runs):.2f})"
        for _, runs in columns
    ]
    lines.append(_row("mixed load, req/s (p95 ms)", load))
    alone = [f"{median(r['floor_load'] for r in runs):.1f}" for _, runs in columns]
    lines.append(_row("`/api/auth/me` alone, req/s", alone))
    return lines


def peer_table(columns: list[tuple[str, list[dict]]]) -> list[str]:
    count = len(columns[0][1])
    lines = [
        _row(f"ours / django-postman 4.6, p50 ms, median of {count} runs", [c for c, _ in columns]),
        _row("---", ["---"] * len(columns)),
    ]
    for title, ours, theirs in PEER_PAIRS:
        cells = []
        for _, runs in columns:
            peers = [run["peer"] for run in runs]
            mine = median(p[ours]["p50"] for p in peers)
            other = median(p[theirs]["p50"] for p in peers)
            times = median(p[theirs]["p50"] / p[ours]["p50"] for p in peers)
            cells.append(f"{mine:.2f} / {other:.2f} ({times:.1f}×)")
        lines.append(_row(title, cells))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sqlite", nargs="*", default=[], help="results files of SQLite runs")
    parser.add_argument("--mysql", nargs="*", default=[], help="results files of MariaDB runs")
    columns = _columns(parser.parse_args())
    if not columns:
        parser.error("give the results files of at least one database")
    print("\n".join(endpoint_table(columns)))
    if all(run.get("peer") for _, runs in columns for run in runs):
        print()
        print("\n".join(peer_table(columns)))


if __name__ == "__main__":
    main()
