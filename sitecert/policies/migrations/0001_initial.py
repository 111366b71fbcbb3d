"""Policies move here from the certificates app (the Tianjin 2020 row was created by its migration 0002);
the table stays as it is (0002 renames it), so this migration only tells Django's state."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("certificates", "0004_record_replaces")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Policy',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('region', models.SlugField(max_length=40, verbose_name='地区')),
                        ('code', models.SlugField(max_length=40, verbose_name='政策代码')),
                        ('version', models.PositiveIntegerField(default=1, verbose_name='版本')),
                        ('title', models.CharField(max_length=200, verbose_name='名称')),
                        ('effective_from', models.DateField(verbose_name='生效日期')),
                        ('effective_to', models.DateField(blank=True, null=True, verbose_name='失效日期')),
                        ('exchange_opens', models.DateField(verbose_name='换证开始日期')),
                        ('exchange_closes', models.DateField(verbose_name='换证截止日期')),
                        ('issued_since', models.DateField(verbose_name='原证书最早发证日期')),
                        ('issuers', models.JSONField(help_text='列表，如 ["天津市城乡建设委员会"]', verbose_name='原证书发证机关')),
                        ('exchange_hours', models.PositiveSmallIntegerField(verbose_name='换证学时')),
                        ('exchange_professional_hours', models.PositiveSmallIntegerField(verbose_name='换证专业岗位知识学时')),
                        ('assessment_required', models.BooleanField(default=True, verbose_name='须通过考核')),
                        ('share_general_hours', models.BooleanField(default=False, help_text='天津2020年通知：否，每本证书分别学习', verbose_name='通用知识学时可用于多本证书')),
                        ('issuing_authority', models.CharField(max_length=100, verbose_name='电子证书发证机关')),
                        ('number_prefix', models.CharField(max_length=4, verbose_name='证书编号前缀')),
                        ('yearly_hours', models.PositiveSmallIntegerField(verbose_name='每年学时')),
                        ('yearly_professional_hours', models.PositiveSmallIntegerField(verbose_name='每年专业岗位知识学时')),
                        ('window_years', models.PositiveSmallIntegerField(verbose_name='考核周期（年）')),
                        ('window_hours', models.PositiveSmallIntegerField(verbose_name='周期内学时')),
                        ('window_start', models.CharField(choices=[('calendar', '自发证次年1月1日起按自然年计'), ('issue_date', '自发证之日起计')], default='calendar', max_length=12, verbose_name='周期起算')),
                        ('daily_cap_minutes', models.PositiveSmallIntegerField(verbose_name='每日学习时长上限（分钟）')),
                        ('pass_mark', models.PositiveSmallIntegerField(verbose_name='考核合格分')),
                        ('questions', models.PositiveSmallIntegerField(verbose_name='每卷题数')),
                        ('minutes', models.PositiveSmallIntegerField(verbose_name='考试时长（分钟）')),
                        ('attempts_per_period', models.PositiveSmallIntegerField(verbose_name='周期内考试次数')),
                        ('period_days', models.PositiveSmallIntegerField(verbose_name='考试次数周期（天）')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                        ('created_by', models.CharField(blank=True, max_length=150, verbose_name='创建人')),
                    ],
                    options={
                        'db_table': 'certificates_policy',
                        'verbose_name': '政策',
                        'verbose_name_plural': '政策',
                        'ordering': ['region', '-effective_from', '-version'],
                        'constraints': [models.UniqueConstraint(fields=('code', 'version'), name='policy_code_version'), models.CheckConstraint(condition=models.Q(('exchange_closes__gte', models.F('exchange_opens'))), name='policy_window_order'), models.CheckConstraint(condition=models.Q(('exchange_professional_hours__lte', models.F('exchange_hours')), ('yearly_professional_hours__lte', models.F('yearly_hours'))), name='policy_professional_within_total')],
                    },
                ),
            ]
        )
    ]
