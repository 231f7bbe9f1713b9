"""ApiKey moved from core to access with its table (access 0001): only the state's reference changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0001_initial"),
        ("consent", "0006_merge_erasure_reason_and_purpose_refresh"),
    ]
    # core 0011 drops core.ApiKey from the state: nothing may point at it by then.
    run_before = [("core", "0011_access_models_move_out")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="consentevent",
                    name="api_key",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="access.apikey",
                        verbose_name="API key",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalconsentevent",
                    name="api_key",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="access.apikey",
                        verbose_name="API key",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
