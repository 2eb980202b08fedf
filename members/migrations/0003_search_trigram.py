"""Trigram indexes for the people search, which matches parts of words (`icontains`: "UPPER(column) LIKE
UPPER('%word%')" on PostgreSQL) in names, job titles and expertise tags: indexed on the same UPPER expression, so
the LIKE uses the index instead of reading every member.

PostgreSQL only: the pg_trgm extension (a trusted extension, shipped with PostgreSQL) and GIN indexes; on SQLite
this migration does nothing.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

# (index, table, column)
INDEXES = [
    ("members_user_full_name_trgm", "members_user", "full_name"),
    ("members_profile_job_title_trgm", "members_profile", "job_title"),
    ("members_tag_name_trgm", "members_tag", "name"),
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index, table, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {index} ON {table} USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {index}")


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0002_notificationpreference"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(forward, backward, elidable=False),
    ]
