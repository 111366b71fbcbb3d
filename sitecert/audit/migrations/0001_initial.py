"""The audit log's models move here from the certificates app; the tables stay as they are (0002 renames
them), so this migration only tells Django's state."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("certificates", "0004_record_replaces")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AuditEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('seq', models.PositiveBigIntegerField(unique=True, verbose_name='序号')),
                        ('at', models.DateTimeField(verbose_name='时间')),
                        ('actor', models.CharField(max_length=150, verbose_name='操作人')),
                        ('action', models.CharField(max_length=40, verbose_name='操作')),
                        ('subject', models.CharField(db_index=True, max_length=60, verbose_name='对象')),
                        ('data', models.JSONField(verbose_name='内容')),
                        ('prev_hash', models.CharField(max_length=64)),
                        ('hash', models.CharField(max_length=64)),
                    ],
                    options={
                        'db_table': 'certificates_auditentry',
                        'verbose_name': '审计日志',
                        'verbose_name_plural': '审计日志',
                        'ordering': ['-seq'],
                    },
                ),
                migrations.CreateModel(
                    name='AuditHead',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('last_seq', models.PositiveBigIntegerField(default=0)),
                        ('last_hash', models.CharField(default='0000000000000000000000000000000000000000000000000000000000000000', max_length=64)),
                    ],
                    options={
                        'db_table': 'certificates_audithead',
                    },
                ),
            ]
        )
    ]
