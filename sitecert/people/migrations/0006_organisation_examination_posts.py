from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0005_one_time_code_created_at"),
        ("registry", "0004_person_table"),
    ]

    operations = [
        migrations.AddField(
            model_name="organisation",
            name="examination_posts",
            field=models.ManyToManyField(blank=True, help_text="主管部门批准本培训机构组织考核的岗位", related_name="+", to="registry.post", verbose_name="可组织职业培训考核的岗位"),
        ),
    ]
