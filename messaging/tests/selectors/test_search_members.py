from messaging import selectors
from messaging.tests.factories import UserFactory


def _found(member, query, limit=50) -> tuple[list, int]:
    return selectors.search_members(user=member, query=query, limit=limit)


def test_matches_names_case_blind_and_excludes_yourself(user):
    ada_byron = UserFactory(name="Ada Byron")
    UserFactory(name="Grace Hopper")

    people, total = _found(user, "ADA")

    assert (people, total) == ([ada_byron], 1)
    assert user.name == "Ada Lovelace"


def test_finds_a_member_by_exact_email_address(user, other_user):
    assert _found(user, "grace@example.org") == ([other_user], 1)
    assert _found(user, "  Grace@Example.ORG ") == ([other_user], 1)
    assert _found(user, "grace@example") == ([], 0)


def test_inactive_members_are_excluded(user):
    active = UserFactory(name="Alumni Active")
    UserFactory(name="Alumni Gone", is_active=False)

    assert _found(user, "alumni") == ([active], 1)


def test_searching_your_own_email_finds_nobody(user):
    assert _found(user, "ada@example.org") == ([], 0)


def test_limit_cuts_the_page_but_not_the_total(user):
    members = [UserFactory(name=f"Class of 19{n}0") for n in range(5)]

    people, total = _found(user, "class of", limit=2)

    assert (people, total) == (members[:2], 5)
