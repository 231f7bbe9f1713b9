"""The access-control models move here from core without touching the database.

AreaAccess, ApiKey (and its history), AccessReview and LoginGuard keep their core_* tables: this migration
only adds them to access's state (core 0011 takes them out of core's), then moves their content types to
the access label, so existing permissions, and the role grants and user grants that hold them, stay as rows.
"""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


MOVED_MODELS = ["areaaccess", "apikey", "historicalapikey", "accessreview", "loginguard"]


def _relabel(apps, schema_editor, old, new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    types = ContentType.objects.using(schema_editor.connection.alias)
    for model in MOVED_MODELS:
        # A type already under the new label (created by an earlier post_migrate) is left as it is.
        if not types.filter(app_label=new, model=model).exists():
            types.filter(app_label=old, model=model).update(app_label=new)


def content_types_to_access(apps, schema_editor):
    _relabel(apps, schema_editor, "core", "access")


def content_types_to_core(apps, schema_editor):
    _relabel(apps, schema_editor, "access", "core")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0010_merge_figures_and_security"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AreaAccess",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "core_areaaccess",
                        "permissions": [
                            ("access_contacts", "Can open the contacts area"),
                            ("access_consents", "Can open the consents area"),
                            ("access_requests", "Can open the requests area"),
                            ("access_registry", "Can open the registry area"),
                            ("access_retention", "Can open the retention area"),
                            ("access_dashboard", "Can open the compliance dashboard"),
                            ("access_outbox", "Can read the outbox"),
                            ("access_audit", "Can read the audit trail"),
                        ],
                        "managed": False,
                        "default_permissions": (),
                    },
                ),
                migrations.CreateModel(
                    name="LoginGuard",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("username", models.CharField(max_length=150, unique=True, verbose_name="username")),
                        ("failures", models.PositiveSmallIntegerField(default=0, verbose_name="failed attempts")),
                        ("last_failure_at", models.DateTimeField(blank=True, null=True, verbose_name="last failure")),
                        (
                            "locked_until",
                            models.DateTimeField(blank=True, db_index=True, null=True, verbose_name="locked until"),
                        ),
                    ],
                    options={
                        "verbose_name": "sign-in lock",
                        "verbose_name_plural": "sign-in locks",
                        "db_table": "core_loginguard",
                        "ordering": ["-last_failure_at", "-id"],
                        "permissions": [("unlock_account", "Can unlock a locked staff account")],
                        "default_permissions": ("view",),
                    },
                ),
                migrations.CreateModel(
                    name="AccessReview",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("signed_at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="signed at")),
                        ("signed_by_label", models.CharField(max_length=150, verbose_name="reviewer")),
                        ("comment", models.TextField(blank=True, verbose_name="comment")),
                        ("snapshot", models.JSONField(default=dict, verbose_name="snapshot")),
                        ("fingerprint", models.CharField(max_length=64, verbose_name="fingerprint")),
                        (
                            "signed_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="signed by",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "access review",
                        "verbose_name_plural": "access reviews",
                        "db_table": "core_accessreview",
                        "ordering": ["-signed_at", "-id"],
                        "default_permissions": ("add", "view"),
                    },
                ),
                migrations.CreateModel(
                    name="HistoricalApiKey",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        (
                            "history_actor_kind",
                            models.CharField(default="anonymous", max_length=16, verbose_name="actor kind"),
                        ),
                        ("history_actor_label", models.CharField(blank=True, max_length=150, verbose_name="actor")),
                        ("name", models.CharField(max_length=100, verbose_name="name")),
                        ("prefix", models.CharField(db_index=True, max_length=8, verbose_name="prefix")),
                        ("hashed_key", models.CharField(max_length=64, verbose_name="hashed key")),
                        ("scopes", models.JSONField(default=list, verbose_name="scopes")),
                        ("created_at", models.DateTimeField(blank=True, editable=False, verbose_name="created at")),
                        ("expires_at", models.DateTimeField(blank=True, null=True, verbose_name="expires at")),
                        ("revoked_at", models.DateTimeField(blank=True, null=True, verbose_name="revoked at")),
                        (
                            "revoked_reason",
                            models.CharField(blank=True, max_length=255, verbose_name="revocation reason"),
                        ),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                            ),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="created by",
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical API key",
                        "verbose_name_plural": "historical API keys",
                        "db_table": "core_historicalapikey",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="ApiKey",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(max_length=100, verbose_name="name")),
                        ("prefix", models.CharField(max_length=8, unique=True, verbose_name="prefix")),
                        ("hashed_key", models.CharField(max_length=64, verbose_name="hashed key")),
                        ("scopes", models.JSONField(default=list, verbose_name="scopes")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                        ("expires_at", models.DateTimeField(blank=True, null=True, verbose_name="expires at")),
                        ("revoked_at", models.DateTimeField(blank=True, null=True, verbose_name="revoked at")),
                        (
                            "revoked_reason",
                            models.CharField(blank=True, max_length=255, verbose_name="revocation reason"),
                        ),
                        ("last_used_at", models.DateTimeField(blank=True, null=True, verbose_name="last used at")),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="created by",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "API key",
                        "verbose_name_plural": "API keys",
                        "db_table": "core_apikey",
                        "ordering": ["-created_at", "-id"],
                        "permissions": [("revoke_apikey", "Can revoke API keys")],
                        "default_permissions": ("add", "view"),
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("revoked_at__isnull", True),
                                    models.Q(("revoked_reason", ""), _negated=True),
                                    _connector="OR",
                                ),
                                name="apikey_revocation_has_reason",
                                violation_error_message="A revoked key must say why it was revoked.",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_to_access, content_types_to_core),
    ]
