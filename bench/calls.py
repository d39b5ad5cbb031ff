"""What the benchmark times for the hot member: each endpoint's next request, the group
endpoints on their 50-member group (seed_bench's group 0, which they created), and the
plan of the mixed load."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import quote

Call = Callable[[], tuple[str, str, dict | None]]


def our_calls(ids: dict, queries: list[str]) -> dict:
    """Endpoint name -> a function giving the next (method, path, body) to time."""
    sequence = iter(range(10**9))
    busiest, anchor = ids["busiest"], ids["anchor"]
    calls: dict[str, Callable[[], tuple[str, str, dict | None]]] = {
        "auth/me": lambda: ("GET", "/api/auth/me", None),
        "inbox": lambda: ("GET", "/api/messages/inbox?limit=50", None),
        "conversation": lambda: ("GET", f"/api/messages/conversation/{busiest}?limit=50", None),
        "conversation before=": lambda: (
            "GET",
            f"/api/messages/conversation/{busiest}?limit=50&before={anchor}",
            None,
        ),
        "send": lambda: (
            "POST",
            "/api/messages/send",
            {"recipient_id": ids["partner"], "message_text": f"benchmark message {next(sequence)}"},
        ),
        "mark-as-read": lambda: ("PUT", f"/api/messages/mark-as-read/{next(ids['unread'])}", None),
        "unread-count": lambda: ("GET", "/api/messages/unread-count", None),
        "users/search": lambda: ("GET", "/api/users/search?q=grace&limit=20", None),
        **group_calls(ids["group"], sequence),
    }
    for query in queries:
        calls[f"search {query}"] = _get("/api/messages/search?limit=20&q=" + quote(query))
    return calls


def _get(path: str) -> Callable[[], tuple[str, str, dict | None]]:
    return lambda: ("GET", path, None)


def load_plan(ids: dict) -> dict:
    inbox = "/api/messages/inbox?limit=50"
    conversation = f"/api/messages/conversation/{ids['busiest']}?limit=50"
    return {
        "mix": [
            {"method": "GET", "path": inbox, "weight": 20},
            {"method": "GET", "path": conversation, "weight": 20},
            {"method": "GET", "path": "/api/messages/unread-count", "weight": 25},
            {"method": "GET", "path": "/api/messages/search?limit=20&q=coffee", "weight": 5},
            {"method": "GET", "path": "/api/auth/me", "weight": 15},
            {"method": "GET", "path": "/api/users/search?q=grace&limit=20", "weight": 5},
            {
                "method": "POST",
                "path": "/api/messages/send",
                "weight": 10,
                "body": {"recipient_id": ids["partner"]},
            },
        ]
    }


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
