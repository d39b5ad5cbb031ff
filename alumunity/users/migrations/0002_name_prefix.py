"""The name index of member search (users.NamePrefix), filled for existing active members.

On MySQL / MariaDB the prefix column compares bytes (utf8mb4_bin): prefixes are folded
before they are stored, and the database's accent- and case-blind collation would
otherwise take two different folded prefixes for one (such as "か" and "カ" in the
same name), which the unique constraint would refuse.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from alumunity.users.names import name_prefixes

BATCH = 5_000


def binary_prefixes(apps, schema_editor):
    if schema_editor.connection.vendor == "mysql":
        schema_editor.execute(
            "ALTER TABLE users_nameprefix MODIFY prefix varchar(32) "
            "CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL"
        )


def index_names(apps, schema_editor):
    User = apps.get_model("users", "User")
    NamePrefix = apps.get_model("users", "NamePrefix")
    database = schema_editor.connection.alias
    members = (
        User.objects.using(database).filter(is_active=True).order_by("pk").values_list("pk", "name")
    )
    rows = []
    for member_id, name in members.iterator(chunk_size=BATCH):
        rows.extend(
            NamePrefix(user_id=member_id, prefix=prefix, name=name)
            for prefix in name_prefixes(name)
        )
        if len(rows) >= BATCH:
            NamePrefix.objects.using(database).bulk_create(rows)
            rows = []
    NamePrefix.objects.using(database).bulk_create(rows)


class Migration(migrations.Migration):

    dependencies = [
        ('users', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='NamePrefix',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('prefix', models.CharField(max_length=32)),
                ('name', models.CharField(max_length=150)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='name_prefixes', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'name prefix',
                'verbose_name_plural': 'name prefixes',
                'constraints': [models.UniqueConstraint(fields=('prefix', 'user'), name='name_prefix_unique')],
                'indexes': [models.Index(fields=['prefix', 'name', 'user'], name='name_prefix_search')],
            },
        ),
        migrations.RunPython(
            binary_prefixes, migrations.RunPython.noop, atomic=False, elidable=False
        ),
        migrations.RunPython(index_names, migrations.RunPython.noop, elidable=False),
    ]
