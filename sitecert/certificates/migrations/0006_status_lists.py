import django.db.models.deletion
from django.db import migrations, models


def activation_fill(apps, schema_editor):
    """Keys made before staged rotation signed from the moment they were made."""
    SigningKey = apps.get_model("certificates", "SigningKey")
    SigningKey.objects.update(activates_at=models.F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0005_models_moved"),
    ]

    operations = [
        migrations.AddField(
            model_name="signingkey",
            name="activates_at",
            field=models.DateTimeField(null=True, verbose_name="启用时间"),
        ),
        migrations.RunPython(activation_fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="signingkey",
            name="activates_at",
            field=models.DateTimeField(verbose_name="启用时间"),
        ),
        migrations.AddField(
            model_name="signingkey",
            name="seal_chain",
            field=models.TextField(
                blank=True,
                help_text="主管部门 CA 签发签章证书时，其中间证书与根证书",
                verbose_name="电子签章证书链 (PEM)",
            ),
        ),
        migrations.CreateModel(
            name="StatusList",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("size", models.PositiveIntegerField(verbose_name="容量")),
                ("allocated", models.PositiveIntegerField(default=0, verbose_name="已分配")),
                ("seed", models.CharField(max_length=64)),
                ("created_at", models.DateTimeField(verbose_name="创建时间")),
            ],
            options={
                "verbose_name": "状态列表",
                "verbose_name_plural": "状态列表",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("allocated__lte", models.F("size"))), name="status_list_room"
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="certificateversion",
            name="status_list",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="certificates.statuslist",
            ),
        ),
        migrations.AddField(
            model_name="certificateversion",
            name="status_index",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddConstraint(
            model_name="certificateversion",
            constraint=models.UniqueConstraint(fields=("status_list", "status_index"), name="status_slot_unique"),
        ),
    ]
