"""The machine a benchmark runs on, as its first line describes it."""

from __future__ import annotations

import time


def python_loop_ms() -> float:
    """The processor's speed at Python, the best of five timings of one fixed loop: what
    the project adds to a request is Python work, so its ratio to the bare view grows on
    a slower processor, and rounds on different machines compare by this figure."""
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        total = 0
        for number in range(2_000_000):
            total += number
        timings.append(time.perf_counter() - started)
    return min(timings) * 1000
