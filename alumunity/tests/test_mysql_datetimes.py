"""MySQL / MariaDB DATETIME values become datetimes through datetime.fromisoformat
(alumunity.db.mysql.stored_datetime), exactly as the driver's own converter made them."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from MySQLdb.times import DateTime_or_None

from alumunity.db.mysql.base import stored_datetime
from messaging.tests.factories import UserFactory


@pytest.mark.parametrize(
    "text",
    [
        "2026-12-01 07:42:30.123456",
        "2026-12-01 07:42:30.000000",
        "2026-12-01 07:42:30",
        "1999-02-28 23:59:59.000001",
        "0000-00-00 00:00:00",
        "0000-00-00 00:00:00.000000",
    ],
)
def test_a_stored_time_reads_as_the_drivers_converter_reads_it(text):
    mine, theirs = stored_datetime(text), DateTime_or_None(text)
    assert (mine, type(mine)) == (theirs, type(theirs))
    assert mine is None or mine.tzinfo is None


@pytest.mark.skipif(connection.vendor != "mysql", reason="the MySQL / MariaDB backend")
@pytest.mark.django_db
def test_times_round_trip_through_the_database():
    moment = datetime(2026, 12, 1, 7, 42, 30, 123456, tzinfo=UTC)
    member = UserFactory(last_login=moment)
    member.refresh_from_db()
    assert member.last_login == moment
    member_id = type(member)._meta.pk.get_db_prep_value(member.pk, connection)
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_login, date_joined FROM users_user WHERE id = %s", [member_id])
        last_login, joined = cursor.fetchone()
    assert last_login == moment.replace(tzinfo=None)
    assert type(joined) is datetime
