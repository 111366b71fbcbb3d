"""The Tianjin 2020 policy (津建人函〔2020〕 notice of 2020-07-16), the shipped default."""

import datetime

from django.db import migrations

TIANJIN_2020 = {
    "region": "tianjin",
    "code": "tianjin-2020",
    "version": 1,
    "title": "天津市施工现场专业人员继续教育及换发电子证书（2020年通知）",
    "effective_from": datetime.date(2020, 7, 16),
    "exchange_opens": datetime.date(2020, 7, 16),
    "exchange_closes": datetime.date(2020, 12, 31),
    "issued_since": datetime.date(2012, 1, 1),
    "issuers": ["天津市城乡建设和交通委员会", "天津市城乡建设委员会", "天津市住房和城乡建设委员会"],
    "exchange_hours": 32,
    "exchange_professional_hours": 22,
    "assessment_required": True,
    "share_general_hours": False,
    "issuing_authority": "天津市住房和城乡建设委员会",
    "number_prefix": "TJ",
    "yearly_hours": 32,
    "yearly_professional_hours": 22,
    "window_years": 2,
    "window_hours": 64,
    "window_start": "calendar",
    "daily_cap_minutes": 8 * 60,
    "pass_mark": 60,
    "questions": 20,
    "minutes": 30,
    "attempts_per_period": 3,
    "period_days": 7,
    "created_by": "migration",
}


def create(apps, schema_editor):
    apps.get_model("certificates", "Policy").objects.get_or_create(
        code=TIANJIN_2020["code"], version=1, defaults=TIANJIN_2020
    )


def remove(apps, schema_editor):
    apps.get_model("certificates", "Policy").objects.filter(code=TIANJIN_2020["code"], version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("certificates", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
