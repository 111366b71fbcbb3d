from django.db import migrations, models

from sitecert.migrationkit import content_types_relabel


class Migration(migrations.Migration):
    dependencies = [
        ("policies", "0001_initial"),
        ("certificates", "0005_models_moved"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelTable(name="policy", table=None),
        # Versions count within a region: two regions may use the same policy code.
        migrations.RemoveConstraint(model_name="policy", name="policy_code_version"),
        migrations.AddConstraint(
            model_name="policy",
            constraint=models.UniqueConstraint(
                fields=("region", "code", "version"), name="policy_region_code_version"
            ),
        ),
        migrations.RunPython(content_types_relabel("certificates", "policies", ["policy"]), migrations.RunPython.noop),
    ]
