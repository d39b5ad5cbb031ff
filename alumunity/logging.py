"""The log line formatter: a value a client sent can never start a line of its own.

Request paths, hosts, emails and exception texts reach log messages as they came in;
a percent-encoded newline in a path would otherwise write a second, forged record.
Escaping at the formatter covers every logger and every message in one place."""

import logging
import re

# C0 and C1 controls (CR, LF, ESC for terminal tricks...) and Unicode line separators.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u0085]")


def _escaped(match: re.Match) -> str:
    return match.group().encode("unicode_escape").decode("ascii")


def escape_controls(text: str) -> str:
    """`text` on one line: every control character written as its Python escape."""
    return _CONTROL.sub(_escaped, text)


def _indented_block(text: str) -> str:
    # A traceback keeps its lines, each indented: none can pass for a record's first line.
    return "\n".join("  " + escape_controls(line) for line in text.split("\n"))


class EscapingFormatter(logging.Formatter):
    def formatMessage(self, record: logging.LogRecord) -> str:
        return escape_controls(super().formatMessage(record))

    def formatException(self, ei) -> str:
        return _indented_block(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:
        return _indented_block(super().formatStack(stack_info))
