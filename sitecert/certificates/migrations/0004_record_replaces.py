import django.db.models.deletion
from django.db import migrations, models


def records_fill(apps, schema_editor):
    """Every e-certificate so far was exchanged: its training record is its old certificate's."""
    ECertificate = apps.get_model("certificates", "ECertificate")
    ECertificate.objects.update(record_id=models.F("legacy_id"))


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0003_permissions"),
        ("registry", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="ecertificate",
            name="record",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="registry.legacycertificate",
            ),
        ),
        migrations.RunPython(records_fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="ecertificate",
            name="record",
            field=models.ForeignKey(
                help_text="学时记录所在的原证书：换发的证书为其原证书，重新取证的证书沿用失效证书的档案",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="registry.legacycertificate",
                verbose_name="培训档案",
            ),
        ),
        migrations.AddField(
            model_name="ecertificate",
            name="replaces",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="replaced_by",
                to="certificates.ecertificate",
                verbose_name="取代的失效证书",
            ),
        ),
    ]
