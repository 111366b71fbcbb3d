from django import forms
from django.utils.translation import gettext_lazy as _


class RegistryUploadForm(forms.Form):
    file = forms.FileField(label=_("原证书库文件（.xlsx 或 .csv）"))
    dry_run = forms.BooleanField(label=_("仅试运行，不写入"), required=False)
