"""Training records: hours, enrolments and assessments move from the old certificate they were keyed on to a
training record (one per old certificate that has any, with its person and post), so that a first
certificate by training, which has no old certificate, has a record too. Enrolments get their year: a course
may be taken again in a later year."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

LEARNING = ("learning_hourentry", "learning_enrolment", "learning_assessmentattempt")


def records_fill(apps, schema_editor):
    """One record per old certificate that has learning; then every learning row points at its record. Set-based
    SQL: a region's hour records are millions of rows."""
    used = " UNION ".join(f"SELECT certificate_id FROM {table}" for table in LEARNING)
    schema_editor.execute(
        "INSERT INTO learning_trainingrecord (person_id, post_id, legacy_id, created_at)"
        f" SELECT c.holder_id, c.post_id, c.id, %s FROM registry_legacycertificate c WHERE c.id IN ({used})",
        [timezone.now()],
    )
    for table in LEARNING:
        schema_editor.execute(
            f"UPDATE {table} SET record_id = (SELECT r.id FROM learning_trainingrecord r"
            f" WHERE r.legacy_id = {table}.certificate_id)"
        )
    Enrolment = apps.get_model("learning", "Enrolment")
    for enrolment in Enrolment.objects.only("created_at"):
        enrolment.year = timezone.localtime(enrolment.created_at).year
        enrolment.save(update_fields=["year"])


def _record(**kwargs):
    return models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to="learning.trainingrecord", **kwargs)


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0002_person_moved"),
        ("registry", "0004_person_table"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="TrainingRecord",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(verbose_name="创建时间")),
                ("legacy", models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="training_record", to="registry.legacycertificate", verbose_name="原证书")),
                ("person", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="training_records", to="registry.person", verbose_name="人员")),
                ("post", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to="registry.post", verbose_name="岗位")),
            ],
            options={
                "verbose_name": "培训档案",
                "verbose_name_plural": "培训档案",
                "constraints": [models.UniqueConstraint(condition=models.Q(("legacy__isnull", True)), fields=("person", "post"), name="record_per_post")],
            },
        ),
        migrations.AddField("hourentry", "record", _record(null=True, related_name="hour_entries")),
        migrations.AddField("enrolment", "record", _record(null=True, related_name="enrolments")),
        migrations.AddField("assessmentattempt", "record", _record(null=True, related_name="assessment_attempts")),
        migrations.AddField("enrolment", "year", models.PositiveSmallIntegerField(null=True, verbose_name="学习年度")),
        migrations.RunPython(records_fill, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="enrolment", name="enrolment_unique"),
        migrations.RemoveConstraint(model_name="hourentry", name="hour_entry_unique"),
        migrations.RemoveIndex(model_name="assessmentattempt", name="learning_as_certifi_cb73b9_idx"),
        migrations.RemoveIndex(model_name="hourentry", name="learning_ho_certifi_b5fc36_idx"),
        migrations.RemoveField(model_name="assessmentattempt", name="certificate"),
        migrations.RemoveField(model_name="enrolment", name="certificate"),
        migrations.RemoveField(model_name="hourentry", name="certificate"),
        migrations.AlterField("hourentry", "record", _record(related_name="hour_entries", verbose_name="培训档案")),
        migrations.AlterField("enrolment", "record", _record(related_name="enrolments", verbose_name="培训档案")),
        migrations.AlterField("assessmentattempt", "record", _record(related_name="assessment_attempts", verbose_name="培训档案")),
        migrations.AlterField("enrolment", "year", models.PositiveSmallIntegerField(verbose_name="学习年度")),
        migrations.AddIndex(
            model_name="assessmentattempt",
            index=models.Index(fields=["record", "started_at"], name="attempt_record_started"),
        ),
        migrations.AddIndex(
            model_name="hourentry",
            index=models.Index(fields=["record", "completed_on"], name="hour_entry_record_day"),
        ),
        migrations.AddConstraint(
            model_name="enrolment",
            constraint=models.UniqueConstraint(fields=("record", "course", "year"), name="enrolment_once_a_year"),
        ),
        migrations.AddConstraint(
            model_name="hourentry",
            constraint=models.UniqueConstraint(fields=("record", "course", "completed_on"), name="hour_entry_unique"),
        ),
    ]
