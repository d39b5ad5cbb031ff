"""One message to many channel-layer groups, in as few round trips as the layer allows.

Channels' `group_send` takes one group, and an event reaches each member through their
own group (`user_<id>`), so an event to a 50-member group was 50 group sends: on the
Redis pub/sub layer 50 serializations and 50 PUBLISH round trips, one after the other
under the shard's lock, on the server's loop. `group_send_many` serializes once and
publishes to all of a Redis shard's groups in one command; on the in-memory layer it
awaits, one after the other, the group sends of groups a socket joined; any other layer
gets concurrent group sends, as before.

The Redis pub/sub path uses channels-redis internals (the per-loop layer, its shards,
each shard's lock and client, the group channel names); requirements.txt pins
channels-redis, and alumunity/tests/test_fanout.py fails if an upgrade changes them.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from typing import Any

from channels.layers import InMemoryChannelLayer
from channels_redis.pubsub import RedisPubSubChannelLayer
from redis.exceptions import NoScriptError

# PUBLISH of ARGV[1] to each channel named after it, in one command: the message crosses
# the wire once and one reply comes back, where a pipeline of PUBLISH sends the message
# and parses a reply once per channel (five times the loop's time for 50 channels).
# channels-redis' own RedisChannelLayer sends groups with scripts too.
_PUBLISH_ALL = "for i = 2, #ARGV do redis.call('PUBLISH', ARGV[i], ARGV[1]) end"
_PUBLISH_ALL_SHA = hashlib.sha1(_PUBLISH_ALL.encode(), usedforsecurity=False).hexdigest()

# (group, why) for each group the message could not be handed to.
Failures = list[tuple[str, BaseException]]


async def group_send_many(layer: Any, groups: Sequence[str], message: dict) -> Failures:
    """Sends `message` to each of `groups` once; never raises for a layer that fails,
    and answers the groups it could not reach (all of a shard's when its Redis is down)."""
    if isinstance(layer, RedisPubSubChannelLayer):
        return await _redis_pubsub(layer, groups, message)
    if isinstance(layer, InMemoryChannelLayer):
        return await _in_memory(layer, groups, message)
    return await _concurrently(layer, groups, message)


async def _redis_pubsub(
    layer: RedisPubSubChannelLayer, groups: Sequence[str], message: dict
) -> Failures:
    loop_layer = layer._get_layer()  # this loop's connections, as group_send would use
    data = layer.serialize(message)
    by_shard: dict[Any, list[tuple[str, str]]] = {}
    for group in groups:
        channel = loop_layer._get_group_channel_name(group)
        by_shard.setdefault(loop_layer._get_shard(channel), []).append((group, channel))
    if len(by_shard) == 1:
        [(shard, sends)] = by_shard.items()
        return await _publish_all(shard, sends, data)
    sent = await asyncio.gather(
        *(_publish_all(shard, sends, data) for shard, sends in by_shard.items())
    )
    return [failure for failures in sent for failure in failures]


async def _publish_all(shard: Any, sends: list[tuple[str, str]], data: bytes) -> Failures:
    """One round trip for all of this shard's (group, channel) sends, under the shard's
    lock as its own publish() holds it."""
    channels = [channel for _group, channel in sends]
    try:
        async with shard._lock:
            shard._ensure_redis()
            try:
                await shard._redis.evalsha(_PUBLISH_ALL_SHA, 0, data, *channels)
            except NoScriptError:  # a Redis that has not seen it yet, or restarted
                await shard._redis.eval(_PUBLISH_ALL, 0, data, *channels)
    except Exception as error:
        return [(group, error) for group, _channel in sends]
    return []


async def _in_memory(layer: InMemoryChannelLayer, groups: Sequence[str], message: dict) -> Failures:
    """In memory a group send only queues the message (it waits for nothing), so tasks to
    run them concurrently cost more than they save; and a group no socket joined (the
    layer lives in this process only) would only be tidied, never sent to, so it is left
    alone: most members of a group are not online."""
    failures: Failures = []
    for group in groups:
        if group not in layer.groups:
            continue
        try:
            await layer.group_send(group, message)
        except Exception as error:
            failures.append((group, error))
    return failures


async def _concurrently(layer: Any, groups: Sequence[str], message: dict) -> Failures:
    results = await asyncio.gather(
        *(layer.group_send(group, message) for group in groups), return_exceptions=True
    )
    return [
        (group, result)
        for group, result in zip(groups, results, strict=True)
        if isinstance(result, Exception)
    ]
