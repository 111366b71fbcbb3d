from django.db import migrations

from sitecert.migrationkit import content_types_relabel


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("certificates", "0005_models_moved"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelTable(name="auditentry", table=None),
        migrations.AlterModelTable(name="audithead", table=None),
        migrations.RunPython(content_types_relabel("certificates", "audit", ["auditentry", "audithead"]), migrations.RunPython.noop),
    ]
