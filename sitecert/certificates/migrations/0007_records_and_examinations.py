"""E-certificates continue a training record (learning 0003) instead of an old certificate, and a certificate
by training names the passed examination it was issued on."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def records_link(apps, schema_editor):
    """Every e-certificate's old certificate gets a record if learning had none for it; then the link."""
    schema_editor.execute(
        "INSERT INTO learning_trainingrecord (person_id, post_id, legacy_id, created_at)"
        " SELECT c.holder_id, c.post_id, c.id, %s FROM registry_legacycertificate c"
        " WHERE c.id IN (SELECT record_id FROM certificates_ecertificate)"
        " AND c.id NOT IN (SELECT legacy_id FROM learning_trainingrecord WHERE legacy_id IS NOT NULL)",
        [timezone.now()],
    )
    schema_editor.execute(
        "UPDATE certificates_ecertificate SET training_record_id = (SELECT r.id FROM learning_trainingrecord r"
        " WHERE r.legacy_id = certificates_ecertificate.record_id)"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0006_status_lists"),
        ("learning", "0003_training_records"),
        ("people", "0006_organisation_examination_posts"),
        ("registry", "0004_person_table"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="ecertificate",
            name="training_record",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="learning.trainingrecord"),
        ),
        migrations.RunPython(records_link, migrations.RunPython.noop),
        migrations.RemoveField(model_name="ecertificate", name="record"),
        migrations.RenameField(model_name="ecertificate", old_name="training_record", new_name="record"),
        migrations.AlterField(
            model_name="ecertificate",
            name="record",
            field=models.ForeignKey(help_text="学时记录所在的培训档案：换发的证书沿用原证书的档案，重新取证的证书沿用失效证书的档案", on_delete=django.db.models.deletion.PROTECT, related_name="ecertificates", to="learning.trainingrecord", verbose_name="培训档案"),
        ),
        migrations.CreateModel(
            name="Examination",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("examined_on", models.DateField(verbose_name="考核日期")),
                ("score", models.PositiveSmallIntegerField(verbose_name="成绩")),
                ("reported_at", models.DateTimeField(verbose_name="上报时间")),
                ("institution", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="people.organisation", verbose_name="培训机构")),
                ("person", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="examinations", to="registry.person", verbose_name="人员")),
                ("post", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to="registry.post", verbose_name="岗位")),
                ("reported_by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="上报人")),
            ],
            options={
                "verbose_name": "职业培训考核",
                "verbose_name_plural": "职业培训考核",
                "constraints": [models.UniqueConstraint(fields=("institution", "person", "post", "examined_on"), name="examination_once")],
            },
        ),
        migrations.AddField(
            model_name="ecertificate",
            name="examination",
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="ecertificate", to="certificates.examination", verbose_name="职业培训考核"),
        ),
    ]
