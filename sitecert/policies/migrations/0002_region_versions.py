from django.db import migrations, models


def relabel(old: str, new: str, models: list[str]):
    """The content types (and so the permissions and admin history) of moved models follow them."""

    def forwards(apps, schema_editor):
        content_types = apps.get_model("contenttypes", "ContentType").objects
        for model in models:
            if not content_types.filter(app_label=new, model=model).exists():
                content_types.filter(app_label=old, model=model).update(app_label=new)

    return forwards


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
        migrations.RunPython(relabel("certificates", "policies", ["policy"]), migrations.RunPython.noop),
    ]
