from django import forms
from django.utils.translation import gettext_lazy as _

from sitecert.lib import idnumber
from sitecert.lib.textnorm import clean, clean_name, name_problem


class NumberQueryForm(forms.Form):
    certificate_no = forms.CharField(label=_("证书编号"), max_length=64)

    def clean_certificate_no(self):
        return clean(self.cleaned_data["certificate_no"])


class PersonQueryForm(forms.Form):
    id_number = forms.CharField(label=_("身份证号"), max_length=30)
    name = forms.CharField(label=_("姓名"), max_length=40)

    def clean_id_number(self):
        try:
            return idnumber.parse(clean(self.cleaned_data["id_number"])).value
        except idnumber.InvalidIdNumber as exc:
            if exc.code == "check":
                raise forms.ValidationError(_("身份证号校验位不正确，请核对后重新输入")) from None
            raise forms.ValidationError(_("身份证号应为18位（最后一位可为X）")) from None

    def clean_name(self):
        name = clean_name(self.cleaned_data["name"])
        if name_problem(name):
            raise forms.ValidationError(_("请输入2至40个字的姓名，不含数字"))
        return name


class RegistryUploadForm(forms.Form):
    file = forms.FileField(label=_("原证书库文件（.xlsx 或 .csv）"))
    dry_run = forms.BooleanField(label=_("仅试运行，不写入"), required=False)
