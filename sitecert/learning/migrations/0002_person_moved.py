import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0001_initial"),
        ("registry", "0003_person"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="dailycredit",
                    name="person",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="registry.person"),
                )
            ]
        )
    ]
