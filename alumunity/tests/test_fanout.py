"""One message to many channel-layer groups (alumunity/fanout.py): each group's sockets
get it once, in one Redis command per shard on the pub/sub layer, and a layer that fails
answers the groups it missed instead of raising.

The pub/sub path reaches into channels-redis (the pinned version); the first test checks
it against the layer's own group_send with no Redis at all, so an upgrade that moves
those internals fails here rather than silently dropping events."""

import asyncio
import hashlib
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

import pytest
from channels.layers import InMemoryChannelLayer
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.conf import settings
from redis.asyncio.connection import AbstractConnection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError

from alumunity.fanout import group_send_many

MESSAGE = {"type": "message.new", "message": {"id": 7, "message_text": "hi all"}}
needs_redis = pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL")


def run_in_own_loop(coroutine):
    with ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(asyncio.run, coroutine).result()


class FakeRedis:
    """A shard's client that keeps what it was asked to publish, with a script cache
    that starts empty as a fresh Redis's does."""

    def __init__(self, lock: asyncio.Lock):
        self.lock = lock
        self.scripts: dict[str, str] = {}
        self.published: list[tuple[str, bytes]] = []
        self.commands = 0

    async def publish(self, channel, data):
        self.commands += 1
        self.published.append((channel, data))

    async def eval(self, script, numkeys, *args):
        self.scripts[hashlib.sha1(script.encode()).hexdigest()] = script
        await self.evalsha(hashlib.sha1(script.encode()).hexdigest(), numkeys, *args)

    async def evalsha(self, sha, numkeys, *args):
        self.commands += 1
        if sha not in self.scripts:
            raise NoScriptError("NOSCRIPT No matching script.")
        assert self.lock.locked(), "published outside the shard's lock"
        assert numkeys == 0
        data, *channels = args
        self.published.extend((channel, data) for channel in channels)


def test_the_pubsub_layer_publishes_what_its_group_send_would_with_one_command_per_shard():
    groups = [f"user_{n:032x}" for n in range(40)]

    async def scenario():
        layer = RedisPubSubChannelLayer(
            hosts=["redis://127.0.0.1:1/0", "redis://127.0.0.1:2/0"], prefix="fanout"
        )
        shards = layer._get_layer()._shards
        fakes = []
        for shard in shards:
            shard._redis = FakeRedis(shard._lock)
            fakes.append(shard._redis)
        try:
            for group in groups:
                await layer.group_send(group, MESSAGE)
            by_group_send = sorted(sent for fake in fakes for sent in fake.published)
            for fake in fakes:
                fake.published.clear()
                fake.commands = 0
            assert await group_send_many(layer, groups, MESSAGE) == []
            first = sorted(sent for fake in fakes for sent in fake.published)
            # The first time each Redis learns the script (NOSCRIPT, then EVAL).
            assert [fake.commands for fake in fakes] == [2, 2]
            for fake in fakes:
                fake.published.clear()
                fake.commands = 0
            assert await group_send_many(layer, groups, MESSAGE) == []
            again = sorted(sent for fake in fakes for sent in fake.published)
            return by_group_send, first, again, [fake.commands for fake in fakes]
        finally:
            for shard in shards:
                shard._redis = None

    by_group_send, first, again, commands = run_in_own_loop(scenario())
    assert len(by_group_send) == len(groups)
    assert first == by_group_send
    assert again == by_group_send
    assert commands == [1, 1]


def test_a_shard_that_fails_answers_its_groups_and_the_others_are_still_sent():
    groups = [f"user_{n:032x}" for n in range(40)]

    async def scenario():
        layer = RedisPubSubChannelLayer(
            hosts=["redis://127.0.0.1:1/0", "redis://127.0.0.1:2/0"], prefix="fanout"
        )
        loop_layer = layer._get_layer()
        up, down = loop_layer._shards
        up._redis = FakeRedis(up._lock)
        down._redis = mock.Mock(evalsha=mock.AsyncMock(side_effect=RedisConnectionError("down")))
        try:
            failures = await group_send_many(layer, groups, MESSAGE)
        finally:
            up_published, up._redis, down._redis = up._redis.published, None, None
        missed = {group for group, _error in failures}
        reached = {
            group
            for group in groups
            if loop_layer._get_shard(loop_layer._get_group_channel_name(group)) is up
        }
        return failures, missed, reached, up_published

    failures, missed, reached, up_published = run_in_own_loop(scenario())
    assert reached and missed
    assert missed == set(groups) - reached
    assert all(isinstance(error, RedisConnectionError) for _group, error in failures)
    assert len(up_published) == len(reached)


def test_in_memory_each_joined_groups_sockets_get_the_message_once():
    async def scenario():
        layer = InMemoryChannelLayer()
        two_devices = [await layer.new_channel(), await layer.new_channel()]
        one_device = await layer.new_channel()
        for channel in two_devices:
            await layer.group_add("user_a", channel)
        await layer.group_add("user_b", one_device)
        failures = await group_send_many(layer, ["user_a", "user_b", "user_c"], MESSAGE)
        received = [await layer.receive(channel) for channel in [*two_devices, one_device]]
        left = [layer.channels.get(channel) for channel in [*two_devices, one_device]]
        return failures, received, left

    failures, received, left = run_in_own_loop(scenario())
    assert failures == []
    assert received == [MESSAGE, MESSAGE, MESSAGE]
    assert left == [None, None, None]  # nothing more queued


def test_another_layer_gets_one_group_send_per_group_and_its_failures_are_answered():
    class Layer:
        def __init__(self):
            self.sent = []

        async def group_send(self, group, message):
            if group == "user_down":
                raise OSError("unreachable")
            self.sent.append((group, message))

    layer = Layer()
    failures = run_in_own_loop(group_send_many(layer, ["user_a", "user_down", "user_b"], MESSAGE))
    assert [(group, type(error)) for group, error in failures] == [("user_down", OSError)]
    assert layer.sent == [("user_a", MESSAGE), ("user_b", MESSAGE)]


@needs_redis
def test_on_redis_every_joined_group_hears_once_from_one_round_trip():
    groups = [f"user_{n:032x}" for n in range(50)]
    writes = []
    send_packed_command = AbstractConnection.send_packed_command

    async def counted(connection, command, *args, **kwargs):
        writes.append(connection)
        return await send_packed_command(connection, command, *args, **kwargs)

    async def scenario():
        layer = RedisPubSubChannelLayer(
            hosts=[settings.REDIS_URL],
            prefix=settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] + "fanout",
        )
        try:
            listening = {}
            for group in groups[:3]:
                listening[group] = await layer.new_channel()
                await layer.group_add(group, listening[group])
            assert await group_send_many(layer, groups, {"type": "warm.up"}) == []
            for channel in listening.values():
                assert await asyncio.wait_for(layer.receive(channel), 5) == {"type": "warm.up"}
            with mock.patch.object(AbstractConnection, "send_packed_command", counted):
                assert await group_send_many(layer, groups, MESSAGE) == []
            received = [
                await asyncio.wait_for(layer.receive(channel), 5) for channel in listening.values()
            ]
            await asyncio.sleep(0.2)
            queued = [layer._get_layer().channels[c].qsize() for c in listening.values()]
            return received, queued
        finally:
            await layer.flush()

    received, queued = run_in_own_loop(scenario())
    assert received == [MESSAGE] * 3
    assert queued == [0, 0, 0]
    assert len(writes) == 1
