"""GET /api/messages/search counts up to a cap (SPEC §3): the total is exact up to
SEARCH_TOTAL_CAP matches; past it the answer says `total: <cap>` with
`"total_is_lower_bound": true`, and the page itself stays exact, newest first. The cap is
lowered here so that a few messages cross it; every path of the search is covered (the
index alone, with a delete-for-me marker, with groups, the bounded fallback), on both
backends. Committed rows (transaction=True): InnoDB's FULLTEXT index sees only those."""

from http import HTTPStatus

import pytest

from conftest import client_for
from messaging import selectors, services
from messaging.selectors import search as search_selector
from messaging.tests.factories import UserFactory, send
from messaging.tests.web.helpers import HX, browser_for

pytestmark = pytest.mark.django_db(transaction=True)

SEARCH = "/api/messages/search"
CAP = 3


@pytest.fixture(autouse=True)
def small_cap(monkeypatch):
    monkeypatch.setattr(search_selector, "SEARCH_TOTAL_CAP", CAP)


def _search(member, q, limit=100) -> dict:
    response = client_for(member).get(SEARCH, {"q": q, "limit": limit})
    assert response.status_code == HTTPStatus.OK
    return response.json()


def _texts(body) -> list[str]:
    return [item["message_text"] for item in body["data"]]


def test_the_cap_is_a_thousand():
    from messaging.selectors.search import SEARCH_TOTAL_CAP

    assert selectors.SEARCH_TOTAL_CAP == 1000  # the module's, before the fixture lowered it
    assert SEARCH_TOTAL_CAP == CAP


def test_up_to_the_cap_the_total_is_exact_and_the_envelope_unchanged(user, other_user):
    for n in range(CAP):
        send(other_user, user, f"kettle {n}")

    body = _search(user, "kettle")

    assert set(body) == {"success", "data", "total", "message"}
    assert body["total"] == CAP
    assert _texts(body) == [f"kettle {n}" for n in reversed(range(CAP))]


def test_past_the_cap_the_total_is_a_lower_bound_and_the_page_exact(user, other_user):
    for n in range(CAP + 3):
        send(other_user if n % 2 else user, user if n % 2 else other_user, f"kettle {n}")

    body = _search(user, "kettle", limit=2)
    everything = _search(user, "kettle", limit=100)

    assert (body["total"], body["total_is_lower_bound"]) == (CAP, True)
    assert _texts(body) == ["kettle 5", "kettle 4"]
    # A page larger than the cap is still the whole, exact page, newest first.
    assert (everything["total"], everything["total_is_lower_bound"]) == (CAP, True)
    assert _texts(everything) == [f"kettle {n}" for n in reversed(range(CAP + 3))]
    # The other member counts the same messages the same way.
    assert _search(other_user, "kettle")["total_is_lower_bound"] is True


def test_messages_outside_the_window_do_not_count(user, other_user, third_user):
    """A delete-for-me marker hides the older matches: what is left is under the cap."""
    old = [send(other_user, user, f"kettle old {n}") for n in range(CAP + 2)]
    services.delete_conversation(user=user, conversation_id=old[0].conversation_id)
    send(other_user, user, "kettle new")
    send(third_user, user, "kettle elsewhere")
    send(other_user, third_user, "kettle not mine")

    body = _search(user, "kettle")

    assert set(body) == {"success", "data", "total", "message"}
    assert (body["total"], _texts(body)) == (2, ["kettle elsewhere", "kettle new"])
    assert _search(other_user, "kettle")["total_is_lower_bound"] is True


def test_group_matches_count_toward_the_cap_inside_the_window(user, other_user, third_user):
    group = services.create_group(
        creator=user, member_ids=[str(other_user.pk), str(UserFactory().pk)], title="Kettle club"
    )
    said = [
        services.send_to_conversation(sender=other_user, conversation_id=group.pk, text=text)
        for text in ("kettle one", "kettle two")
    ]
    services.add_members(user=user, conversation_id=group.pk, user_ids=[str(third_user.pk)])
    services.send_to_conversation(sender=user, conversation_id=group.pk, text="kettle three")
    send(other_user, user, "kettle direct")

    mine = _search(user, "kettle", limit=1)
    newcomer = _search(third_user, "kettle")

    assert (mine["total"], mine["total_is_lower_bound"]) == (CAP, True)
    assert _texts(mine) == ["kettle direct"]
    assert all(message.message.pk for message in said)
    # Added after the first two: only the last group message is theirs.
    assert set(newcomer) == {"success", "data", "total", "message"}
    assert (newcomer["total"], _texts(newcomer)) == (1, ["kettle three"])


def test_the_bounded_fallback_counts_up_to_the_cap_too(user, other_user):
    for n in range(CAP + 1):
        send(other_user, user, f"?! {n}")

    body = _search(user, "?!")

    assert (body["total"], body["total_is_lower_bound"]) == (CAP, True)
    assert len(body["data"]) == CAP + 1


def test_the_exact_selector_still_counts_every_match(user, other_user):
    for n in range(CAP + 2):
        send(other_user, user, f"kettle {n}")

    results, total = selectors.search_messages(user=user, query="kettle", limit=2)

    assert (len(results), total) == (2, CAP + 2)


def test_the_page_shows_a_lower_bound_with_a_plus(user, other_user):
    for n in range(CAP + 1):
        send(other_user, user, f"kettle {n}")
    exact = UserFactory()
    send(other_user, exact, "kettle alone")

    body = browser_for(user).get("/messages/search?q=kettle", **HX).content.decode()
    alone = browser_for(exact).get("/messages/search?q=kettle", **HX).content.decode()

    assert f'<span class="count">({CAP}+)</span>' in body
    assert '<span class="count">(1)</span>' in alone
