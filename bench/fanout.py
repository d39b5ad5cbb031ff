"""The server loop's time to fan one event out to a group's members (figures, not a test).

An event to a group goes to each member's own channel-layer group (`user_<id>`), on the
server's loop after the request (messaging.events). This times that step alone,
`events._send_to_groups` with a `message.new` of ordinary size to `--members` groups,
on the in-memory layer and, with REDIS_URL, on the Redis pub/sub layer of production,
with nobody online and with `--online` of the members' sockets listening (their
messages are read back outside the timing). Prints the median wall time and the mean
CPU time per fan-out.

    .venv/bin/python bench/fanout.py
    REDIS_URL=redis://127.0.0.1:6379/6 .venv/bin/python bench/fanout.py --members 50
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alumunity.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production")

WARM_UP = 20


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--online", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=300)
    return parser.parse_args()


def event() -> dict:
    member = str(uuid.uuid4())
    return {
        "type": "message.new",
        "message": {
            "id": 123456,
            "conversation_id": 4242,
            "sender_id": member,
            "recipient_id": None,
            "message_text": "A group message of ordinary length, about next week's meeting.",
            "sent_at": "2026-11-30T14:00:00.123456Z",
            "read_at": None,
            "edited_at": None,
            "kind": "text",
            "is_deleted": False,
            "attachment": None,
            "reply_to": None,
            "reactions": [],
            "sender": {"id": member, "name": "Ada Lovelace", "avatar_url": None},
        },
    }


async def fan_out(layer, args, online: int) -> tuple[float, float]:
    from messaging import events

    groups = [events.user_group(uuid.uuid4()) for _ in range(args.members)]
    listening = []
    for group in groups[:online]:
        channel = await layer.new_channel()
        await layer.group_add(group, channel)
        listening.append(channel)
    message = event()
    walls, cpus = [], []
    try:
        for round_number in range(WARM_UP + args.repeat):
            wall, cpu = time.perf_counter(), time.process_time()
            await events._send_to_groups(layer, groups, message)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            for channel in listening:
                await asyncio.wait_for(layer.receive(channel), 5)
            if round_number >= WARM_UP:
                walls.append(wall * 1000)
                cpus.append(cpu * 1000)
    finally:
        await layer.flush()
    return statistics.median(walls), statistics.mean(cpus)


def main() -> None:
    import django

    django.setup()
    from channels.layers import InMemoryChannelLayer
    from channels_redis.pubsub import RedisPubSubChannelLayer
    from django.conf import settings

    args = arguments()
    layers = {"in-memory": InMemoryChannelLayer}
    if settings.REDIS_URL:
        layers["Redis pub/sub"] = lambda: RedisPubSubChannelLayer(
            hosts=[settings.REDIS_URL], prefix=f"fanoutbench{os.getpid()}"
        )
    for name, make in layers.items():
        for online in sorted({0, min(args.online, args.members)}):
            wall, cpu = asyncio.run(fan_out(make(), args, online))
            print(
                f"{name}: {args.members} members, {online} online: "
                f"{wall:.3f} ms wall (median), {cpu:.3f} ms CPU (mean) per fan-out"
            )


if __name__ == "__main__":
    main()
