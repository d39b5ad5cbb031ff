"""The "Moderators" group made by the data migration: exactly what moderation needs."""

from django.contrib.auth.models import Group


def test_moderators_group_has_exactly_the_moderation_permissions(db):
    group = Group.objects.get(name="Moderators")

    granted = {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }
    assert granted == {
        "messaging.view_message",
        "messaging.change_message",
        "messaging.view_conversation",
        "messaging.view_report",
        "messaging.change_report",
        "messaging.view_block",
        "messaging.add_block",
        "messaging.delete_block",
        "messaging.view_presence",
        "messaging.view_moderationlogentry",
        "users.view_user",
        "users.change_user",
    }


def test_a_moderator_is_staff_but_not_superuser(moderator):
    assert moderator.is_staff
    assert not moderator.is_superuser
    assert moderator.has_perm("messaging.change_message")
    assert not moderator.has_perm("messaging.delete_message")
    assert not moderator.has_perm("auth.change_group")
