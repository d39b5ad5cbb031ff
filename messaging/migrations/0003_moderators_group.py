"""The "Moderators" group: exactly the permissions the moderation work in the admin needs.

Reading: messages, conversations, reports, blocks, presence, the moderation log, members.
Acting: hide/unhide messages (change message), resolve/dismiss reports (change report),
add and remove blocks, suspend members from messaging (change user; the user admin keeps
every other field read-only for anyone who is not a superuser).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Moderators"

PERMISSIONS = {
    ("messaging", "message"): ("view", "change"),
    ("messaging", "conversation"): ("view",),
    ("messaging", "report"): ("view", "change"),
    ("messaging", "block"): ("view", "add", "delete"),
    ("messaging", "presence"): ("view",),
    ("messaging", "moderationlogentry"): ("view",),
    ("users", "user"): ("view", "change"),
}


def create_moderators_group(apps, schema_editor):
    # Permissions are normally created after the whole migrate run; make sure they exist
    # now, so a fresh database gets a complete group.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    wanted = [
        Permission.objects.get(
            content_type__app_label=app_label,
            content_type__model=model,
            codename=f"{verb}_{model}",
        )
        for (app_label, model), verbs in PERMISSIONS.items()
        for verb in verbs
    ]
    group.permissions.set(wanted)


def remove_moderators_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0002_initial"),
        ("users", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_moderators_group, remove_moderators_group),
    ]
