"""RET-02: the default policies ship as data (retention.defaults), editable by the DPO afterwards."""

from django.db import migrations


def load_defaults(apps, schema_editor):
    from retention.defaults import default_policies_load

    default_policies_load(apps.get_model("retention", "RetentionPolicy"))


class Migration(migrations.Migration):
    dependencies = [("retention", "0001_initial")]

    operations = [migrations.RunPython(load_defaults, migrations.RunPython.noop)]
