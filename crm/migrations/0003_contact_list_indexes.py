"""Indexes the contact list walks (crm.selectors.keyset_page), PostgreSQL only.

- name order: last and first name keys compared byte by byte (COLLATE "C"), then id. The
  same index serves the order and a last-name prefix search whatever the database
  collation (LIKE 'dup%' becomes an index range only under a C collation); the
  varchar_pattern_ops index of 0001 serves the prefix but cannot give the order.
- last interaction, most recent first, contacts without one last (the list's and the
  API's "last interaction" order, forwards and backwards).

Not in Meta.indexes: SQLite (the embedded default) has neither COLLATE "C" nor NULLS
LAST in an index, and needs neither (its default collation is already bytewise).
"""

from django.db import migrations

INDEXES = {
    "contact_name_order_idx": (
        "CREATE INDEX IF NOT EXISTS contact_name_order_idx ON crm_contact "
        '((last_name_key COLLATE "C"), (first_name_key COLLATE "C"), id)'
    ),
    "contact_interaction_order_idx": (
        "CREATE INDEX IF NOT EXISTS contact_interaction_order_idx ON crm_contact "
        "(last_interaction_at DESC NULLS LAST, id DESC)"
    ),
}


def create_indexes(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in INDEXES.values():
            schema_editor.execute(statement)


def drop_indexes(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("crm", "0002_import_jobs")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
