from django.db import migrations


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
        ("registry", "0003_person"),
        ("people", "0004_person_moved"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelTable(name="person", table=None),
        migrations.RunPython(relabel("people", "registry", ["person"]), migrations.RunPython.noop),
    ]
