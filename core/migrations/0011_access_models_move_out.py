"""The access-control models leave core's state for access's (access 0001); their core_* tables stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0010_merge_figures_and_security"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="accessreview", name="signed_by"),
                migrations.RemoveField(model_name="apikey", name="created_by"),
                migrations.RemoveField(model_name="historicalapikey", name="created_by"),
                migrations.RemoveField(model_name="historicalapikey", name="history_user"),
                migrations.DeleteModel(name="LoginGuard"),
                migrations.DeleteModel(name="AreaAccess"),
                migrations.DeleteModel(name="AccessReview"),
                migrations.DeleteModel(name="ApiKey"),
                migrations.DeleteModel(name="HistoricalApiKey"),
            ],
            database_operations=[],
        ),
    ]
