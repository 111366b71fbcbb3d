from django.db import migrations

from sitecert.migrationkit import content_types_relabel


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0003_person"),
        ("people", "0004_person_moved"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelTable(name="person", table=None),
        migrations.RunPython(content_types_relabel("people", "registry", ["person"]), migrations.RunPython.noop),
    ]
