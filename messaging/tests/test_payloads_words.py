"""payloads' small words: times are written in UTC with a Z whatever zone they come in,
and member ids as str() writes them."""

import uuid
from datetime import UTC, datetime, timedelta, timezone

from messaging.payloads import id_text, iso, stored_iso


def test_iso_writes_utc_with_a_z():
    moment = datetime(2026, 12, 1, 9, 30, 15, 123456, tzinfo=UTC)
    assert iso(moment) == "2026-12-01T09:30:15.123456Z"
    assert iso(moment.replace(microsecond=0)) == "2026-12-01T09:30:15Z"
    assert iso(None) is None


def test_iso_turns_another_zone_into_utc():
    paris = timezone(timedelta(hours=1))
    assert iso(datetime(2026, 12, 1, 10, 30, tzinfo=paris)) == "2026-12-01T09:30:00Z"
    assert iso(datetime(2026, 12, 1, 10, 30, tzinfo=timezone.utc)) == "2026-12-01T10:30:00Z"  # noqa: UP017


def test_id_text_is_str_of_the_id():
    member = uuid.uuid4()
    assert id_text(member) == str(member)
    assert id_text(uuid.UUID(str(member))) == str(member)


def test_stored_iso_writes_what_iso_writes_of_the_same_time():
    for moment in (
        datetime(2026, 12, 1, 9, 30, 15, 123456, tzinfo=UTC),
        datetime(2026, 12, 1, 9, 30, 15, 1, tzinfo=UTC),
        datetime(2026, 12, 1, 9, 30, 15, tzinfo=UTC),
    ):
        naive = moment.replace(tzinfo=None)
        sqlite_text = str(naive)  # as Django's SQLite backend stores it
        mariadb_text = naive.strftime("%Y-%m-%d %H:%M:%S.%f")  # CAST(... AS CHAR)
        for stored in (sqlite_text, mariadb_text, moment, naive):
            assert stored_iso(stored) == iso(moment), stored
    assert stored_iso(None) is None


def test_stored_iso_parses_any_other_text():
    # Text of another shape (fewer fractional digits, a zone) is parsed, not cut.
    assert stored_iso("2026-12-01 09:30:15.123") == "2026-12-01T09:30:15.123000Z"
    assert stored_iso("2026-12-01T10:30:15+01:00") == "2026-12-01T09:30:15Z"
