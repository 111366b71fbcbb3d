"""Person moved to the registry (registry 0003): Django's state only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0003_roster_person_post"),
        ("registry", "0003_person"),
        ("learning", "0002_person_moved"),
        ("certificates", "0005_models_moved"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="user",
                    name="person",
                    field=models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="account",
                        to="registry.person",
                        verbose_name="人员",
                    ),
                ),
                migrations.AlterField(
                    model_name="rosterentry",
                    name="person",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="roster_entries",
                        to="registry.person",
                        verbose_name="人员",
                    ),
                ),
                migrations.DeleteModel(name="Person"),
            ]
        )
    ]
