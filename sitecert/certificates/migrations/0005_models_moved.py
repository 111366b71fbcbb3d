"""Policies and the audit log now have apps of their own, and people live in the registry: Django's state
only (the tables are renamed by those apps' migrations)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0004_record_replaces"),
        ("audit", "0001_initial"),
        ("policies", "0001_initial"),
        ("registry", "0003_person"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="ecertificate",
                    name="policy",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, to="policies.policy", verbose_name="政策"
                    ),
                ),
                migrations.AlterField(
                    model_name="ecertificate",
                    name="holder",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="ecertificates",
                        to="registry.person",
                        verbose_name="持证人",
                    ),
                ),
                migrations.DeleteModel(name="Policy"),
                migrations.DeleteModel(name="AuditEntry"),
                migrations.DeleteModel(name="AuditHead"),
            ]
        )
    ]
