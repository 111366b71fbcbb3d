"""People (the resident ID number is the identity) belong to the registry, where they come from: Django's
state only; the table is renamed by 0004 once nothing in the state points at the old model."""

import django.db.models.deletion
import django.db.models.functions.text
import django.db.models.lookups
from django.db import migrations, models


def _holder(**kwargs):
    return models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to="registry.person", **kwargs)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0002_post_catalogue"),
        ("people", "0003_roster_person_post"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Person',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('id_number', models.CharField(max_length=18, unique=True, verbose_name='身份证号')),
                        ('name', models.CharField(max_length=40, verbose_name='姓名')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                    ],
                    options={
                        'db_table': 'people_person',
                        'verbose_name': '人员',
                        'verbose_name_plural': '人员',
                        'constraints': [models.CheckConstraint(condition=django.db.models.lookups.Exact(django.db.models.functions.text.Length('id_number'), 18), name='person_id_number_length')],
                    },
                ),
                migrations.AlterField(
                    model_name="legacycertificate",
                    name="holder",
                    field=_holder(related_name="legacy_certificates", verbose_name="持证人"),
                ),
                migrations.AlterField(
                    model_name="legacycertificatechange",
                    name="holder",
                    field=_holder(verbose_name="原持证人"),
                ),
            ]
        )
    ]
