"""Indexes that give the contact list its name order within a filter (crm.selectors, migration 0003).

A filtered list page walks the name order and keeps the rows that match. With only
the name index, a rare filter reads thousands of rows for each one it keeps (a status
and a tag matching 0.2% of contacts read 18,000 rows for a page of 50). Each index
below leads with what a filter or an access rule fixes, then the name keys compared
byte by byte and the id, so the walk reads only rows of that status, of that owner
(every Sales list), or still owed their Art. 14 notice:

- contact_status_order_idx (status, name), replacing contact_status_idx (its name key
  compared in the database collation could filter but not give the list's order);
- contact_owner_order_idx (owner, name), replacing contact_owner_idx likewise;
- contact_art14_order_idx (name), partial: contacts from an import without their notice, and
  contact_art14_owner_order_idx (owner, name), the same for a Sales user's list;
- contact_tags_by_tag_idx (tag, contact) on the tag links: a tag's contacts read from the index
  alone (an index-only scan), not from the link table's pages.

Built CONCURRENTLY on PostgreSQL (the migration is not atomic), so writes go on while a
large table is indexed. SQLite gets the same columns in its own (bytewise) collation.
"""

from django.db import migrations

NAME_ORDER = {"postgresql": '(last_name_key COLLATE "C"), (first_name_key COLLATE "C"), id'}
PLAIN_NAME_ORDER = "last_name_key, first_name_key, id"
ART14_PENDING = " WHERE source = 'import' AND art14_notice_sent_at IS NULL"  # ContactQuerySet.art14_pending
INDEXES = {  # name: (table, columns, condition)
    "contact_status_order_idx": ("crm_contact", "status, {name}", ""),
    "contact_owner_order_idx": ("crm_contact", "owner_id, {name}", ""),
    "contact_art14_order_idx": ("crm_contact", "{name}", ART14_PENDING),
    "contact_art14_owner_order_idx": ("crm_contact", "owner_id, {name}", ART14_PENDING),
    "contact_tags_by_tag_idx": ("crm_contact_tags", "tag_id, contact_id", ""),
}


def create_indexes(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    concurrently = " CONCURRENTLY" if vendor == "postgresql" else ""
    name = NAME_ORDER.get(vendor, PLAIN_NAME_ORDER)
    for index, (table, columns, where) in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX{concurrently} IF NOT EXISTS {index} ON {table} ({columns.format(name=name)}){where}"
        )


def drop_indexes(apps, schema_editor) -> None:
    for index in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {index}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY runs outside a transaction

    dependencies = [("crm", "0008_import_artefacts")]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes),
        migrations.RemoveIndex(model_name="contact", name="contact_status_idx"),
        migrations.RemoveIndex(model_name="contact", name="contact_owner_idx"),
    ]
