"""The group endpoints of the benchmark: the hot member's 50-member group (seed_bench's
group 0, which they created), its object, its history and a send to it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

Call = Callable[[], tuple[str, str, dict | None]]


def largest_group(call: Callable[[str, str], tuple[int, dict]]) -> int:
    """The id of the hot member's 50-member group, found through their inbox."""
    for offset in range(0, 10_000, 100):
        _, page = call("GET", f"/api/messages/inbox?limit=100&offset={offset}")
        rows = page.get("data", [])
        for row in rows:
            if row.get("kind") == "group" and row.get("member_count") == 50:
                return row["conversation_id"]
        if len(rows) < 100:
            break
    raise SystemExit("No 50-member group: seeded without --groups? Use a fresh database.")


def group_calls(group_id: int, sequence: Iterator[int]) -> dict[str, Call]:
    """Endpoint name -> a function giving the next (method, path, body) to time."""
    path = f"/api/conversations/{group_id}"
    return {
        "group (50 members)": lambda: ("GET", path, None),
        "group messages": lambda: ("GET", f"{path}/messages?limit=50", None),
        "group send (50 members)": lambda: (
            "POST",
            f"{path}/messages",
            {"message_text": f"benchmark group message {next(sequence)}"},
        ),
    }
