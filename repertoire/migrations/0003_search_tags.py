"""Resource tags in the resource's search vector (weight B, like the summary), so a tag matches through the same
GIN index as the title and body instead of a second `pk IN (tags)` condition that kept PostgreSQL off the index.

PostgreSQL only (on SQLite the plain match looks at tags itself). Triggers keep the vector current whatever writes
the rows: the resource's own trigger reads its tags; adding or removing tags (the through table, by statement, so
bulk inserts refresh each resource once) and renaming a tag refresh the resources concerned.
"""

from django.db import migrations

DOCUMENT = """
-- Arguments by position ($1 the resource's id, then its title, summary and body): a named argument could be
-- shadowed by a column of the same name in the query below.
CREATE OR REPLACE FUNCTION repertoire_resource_search_document(bigint, text, text, text)
RETURNS tsvector AS $$
    SELECT setweight(to_tsvector('english', coalesce($2, '')), 'A')
        || setweight(to_tsvector('english', coalesce($3, '')), 'B')
        || setweight(to_tsvector('english', coalesce($4, '')), 'C')
        || setweight(to_tsvector('english', coalesce((
            SELECT string_agg(tag.name, ' ' ORDER BY tag.name)
            FROM repertoire_resource_tags tagged JOIN members_tag tag ON tag.id = tagged.tag_id
            WHERE tagged.resource_id = $1
        ), '')), 'B')
$$ LANGUAGE sql STABLE
"""

RESOURCE_TRIGGER = """
CREATE OR REPLACE FUNCTION repertoire_resource_search_vector() RETURNS trigger AS $$
BEGIN
    NEW.search_vector := repertoire_resource_search_document(NEW.id, NEW.title, NEW.summary, NEW.body);
    RETURN NEW;
END $$ LANGUAGE plpgsql
"""

REFRESH = """
CREATE OR REPLACE FUNCTION repertoire_resource_tags_search_{event}() RETURNS trigger AS $$
BEGIN
    UPDATE repertoire_resource resource
    SET search_vector = repertoire_resource_search_document(resource.id, resource.title, resource.summary, resource.body)
    WHERE resource.id IN ({changed});
    RETURN NULL;
END $$ LANGUAGE plpgsql
"""

TRIGGERS = {
    # (function suffix, table, event, transition table, the resources it concerns)
    "insert": (
        "repertoire_resource_tags",
        "INSERT",
        "NEW TABLE AS changed",
        "SELECT resource_id FROM changed",
    ),
    "delete": (
        "repertoire_resource_tags",
        "DELETE",
        "OLD TABLE AS changed",
        "SELECT resource_id FROM changed",
    ),
    "rename": (
        "members_tag",
        "UPDATE",
        "OLD TABLE AS before NEW TABLE AS changed",
        "SELECT tagged.resource_id FROM repertoire_resource_tags tagged JOIN changed ON changed.id = tagged.tag_id "
        "JOIN before ON before.id = changed.id WHERE before.name IS DISTINCT FROM changed.name",
    ),
}

PLAIN_RESOURCE_TRIGGER = """
CREATE OR REPLACE FUNCTION repertoire_resource_search_vector() RETURNS trigger AS $$
BEGIN
    NEW.search_vector := setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A')
        || setweight(to_tsvector('english', coalesce(NEW.summary, '')), 'B')
        || setweight(to_tsvector('english', coalesce(NEW.body, '')), 'C');
    RETURN NEW;
END $$ LANGUAGE plpgsql
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(DOCUMENT)
    schema_editor.execute(RESOURCE_TRIGGER)
    for suffix, (table, event, transition, changed) in TRIGGERS.items():
        name = f"repertoire_resource_tags_search_{suffix}"
        schema_editor.execute(REFRESH.format(event=suffix, changed=changed))
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        schema_editor.execute(
            f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {transition} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
        )
    schema_editor.execute(
        "UPDATE repertoire_resource SET search_vector = "
        "repertoire_resource_search_document(id, title, summary, body)"
    )
    # The update queued every row in the GIN index's pending list, which each search would read through until a
    # vacuum merges it: merge it now.
    schema_editor.execute("SELECT gin_clean_pending_list('repertoire_resource_search_gin')")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for suffix, (table, *_rest) in TRIGGERS.items():
        name = f"repertoire_resource_tags_search_{suffix}"
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")
    schema_editor.execute(PLAIN_RESOURCE_TRIGGER)
    schema_editor.execute(
        "DROP FUNCTION IF EXISTS repertoire_resource_search_document(bigint, text, text, text)"
    )
    schema_editor.execute("UPDATE repertoire_resource SET title = title")


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0002_notificationpreference"),
        ("repertoire", "0002_search"),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
