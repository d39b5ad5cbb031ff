"""The name index of member search: folding and prefixes (alumunity/users/names.py),
kept in step with the name by User.save(), and filled for existing members by its
migration."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from alumunity.users.models import NamePrefix
from alumunity.users.names import fold, name_prefixes, query_prefixes, words
from messaging.tests.factories import UserFactory

User = get_user_model()


def _stored(member) -> set[str]:
    return set(NamePrefix.objects.filter(user=member).values_list("prefix", flat=True))


def test_folding_drops_case_accents_and_compatibility_forms():
    assert fold("ZÜRICH") == fold("Zürich") == "zurich"
    assert fold("Straße") == "strasse"
    assert fold("ﬁona") == "fiona"
    assert words("Jean-Luc O'Brien_Smith 🦋 José") == ["jean", "luc", "o", "brien", "smith", "jose"]


def test_every_leading_part_of_every_word_once():
    assert name_prefixes("Ada  ada-Lovelace") == [
        "a",
        "ad",
        "ada",
        "l",
        "lo",
        "lov",
        "love",
        "lovel",
        "lovela",
        "lovelac",
        "lovelace",
    ]
    assert name_prefixes("?!") == []
    assert max(map(len, name_prefixes("x" * 150))) == 32


def test_a_query_keeps_the_words_no_other_word_already_asks_for():
    assert query_prefixes("Gr GRACE  hop") == ["grace", "hop"]
    assert query_prefixes("hop grace hop") == ["hop", "grace"]
    assert query_prefixes("x" * 40) == ["x" * 32]
    assert query_prefixes("!!! ?") == []


def test_a_new_member_is_indexed(db):
    member = UserFactory(name="Grace Hopper")

    assert _stored(member) == set(name_prefixes("Grace Hopper"))
    assert "hop" in _stored(member) and "race" not in _stored(member)


def test_a_rename_rewrites_the_index(db):
    member = UserFactory(name="Grace Hopper")

    member.name = "Grace Murray"
    member.save()
    assert _stored(member) == set(name_prefixes("Grace Murray"))

    member.name = "Amazing Grace"
    member.save(update_fields=["name"])
    assert _stored(member) == set(name_prefixes("Amazing Grace"))


def test_a_save_without_the_name_leaves_the_index_alone(db, assert_database_query_count):
    member = UserFactory(name="Grace Hopper")
    NamePrefix.objects.filter(user=member, prefix="hop").delete()
    member.last_login = timezone.now()

    with assert_database_query_count(1):
        member.save(update_fields=["last_login"])

    assert "hop" not in _stored(member)


def test_an_unchanged_name_writes_nothing(db, assert_database_query_count):
    member = UserFactory(name="Grace Hopper")
    member.avatar_url = "https://example.org/grace.png"

    # UPDATE the member, SELECT the stored prefixes
    with assert_database_query_count(2):
        member.save()

    assert _stored(member) == set(name_prefixes("Grace Hopper"))


def test_deleting_a_member_deletes_their_prefixes(db):
    member = UserFactory(name="Grace Hopper")

    member.delete()

    assert not NamePrefix.objects.exists()


def test_the_migration_indexes_existing_active_members(db):
    first = UserFactory(name="Grace Hopper")
    second = UserFactory(name="Zürich Smith")
    former = UserFactory(name="Grace Former", is_active=False)
    NamePrefix.objects.all().delete()
    migration = importlib.import_module("alumunity.users.migrations.0002_name_prefix")

    migration.index_names(apps, SimpleNamespace(connection=connection))

    assert _stored(first) == set(name_prefixes("Grace Hopper"))
    assert _stored(second) == set(name_prefixes("Zürich Smith"))
    assert _stored(former) == set()
    assert set(NamePrefix.objects.values_list("name", flat=True)) == {first.name, second.name}


def test_every_row_carries_the_name_it_sorts_by_and_follows_a_rename(db):
    member = UserFactory(name="Grace Hopper")
    member.name = "Grace Brewster Hopper"
    member.save(update_fields=["name"])

    names = set(NamePrefix.objects.filter(user=member).values_list("name", flat=True))
    assert names == {"Grace Brewster Hopper"}
    assert _stored(member) == set(name_prefixes("Grace Brewster Hopper"))


def test_only_active_members_are_indexed(db):
    member = UserFactory(name="Grace Hopper")

    member.is_active = False
    member.save(update_fields=["is_active"])
    assert _stored(member) == set()

    member.is_active = True
    member.save()
    assert _stored(member) == set(name_prefixes("Grace Hopper"))


def test_a_member_created_inactive_is_not_indexed(db):
    assert _stored(UserFactory(name="Grace Former", is_active=False)) == set()


@pytest.mark.django_db
def test_prefixes_that_only_a_collation_would_confuse_are_both_stored():
    """Hiragana and katakana (or, in some collations, æ and ae) are one letter to a case-
    and accent-blind collation; stored folded, they are different prefixes and both must
    fit under the unique constraint (on MariaDB the column compares bytes)."""
    member = UserFactory(name="かな カナ Æbbe Aebbe")

    assert {"か", "カ", "æ", "ae"} <= _stored(member)
    assert list(NamePrefix.objects.filter(prefix="カ").values_list("prefix", flat=True)) == ["カ"]
