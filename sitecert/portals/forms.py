from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from sitecert.certificates.models import CertificateRequest
from sitecert.errors import DomainError
from sitecert.learning.models import Category, Unit
from sitecert.lib import idnumber
from sitecert.lib.textnorm import clean, clean_name, name_problem
from sitecert.people.models import Organisation
from sitecert.portals.selectors import STAFF_STATUSES
from sitecert.registry.models import Post


# What a phone's keyboard should offer for each kind of field (the `inputmode` and `autocomplete` of HTML).
# An ID number keeps the full keyboard, in capitals: one in eleven ends in the check character X, which
# numeric keypads lack; only digits would lock those holders out.
def id_number_input() -> forms.TextInput:
    return forms.TextInput(
        attrs={
            "autocomplete": "off",
            "autocapitalize": "characters",
            "autocorrect": "off",
            "spellcheck": "false",
        }
    )


def mobile_input(autocomplete: str = "tel-national") -> forms.TextInput:
    return forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": autocomplete})


def code_input() -> forms.TextInput:  # an SMS code: digits, offered by the phone from the message
    return forms.TextInput(
        attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}
    )


def password_input(autocomplete: str = "new-password") -> forms.PasswordInput:
    return forms.PasswordInput(attrs={"autocomplete": autocomplete})


def name_input(autocomplete: str = "off") -> forms.TextInput:
    return forms.TextInput(attrs={"autocomplete": autocomplete})


def show_error(form: forms.Form, exc: DomainError) -> None:
    """A service's refusal, shown at the field it concerns (or above the form)."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


class PasswordPair(forms.Form):
    password = forms.CharField(label=_("密码"), widget=password_input(), strip=False)
    password2 = forms.CharField(label=_("再次输入密码"), widget=password_input(), strip=False)

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致"))
        return data


class HolderRegistrationForm(PasswordPair):
    name = forms.CharField(label=_("姓名"), max_length=40, widget=name_input("name"))
    id_number = forms.CharField(label=_("身份证号"), max_length=20, widget=id_number_input())
    mobile = forms.CharField(label=_("手机号"), max_length=20, widget=mobile_input())
    field_order = ["name", "id_number", "mobile", "password", "password2"]


class CodeForm(forms.Form):
    code = forms.CharField(label=_("短信验证码"), max_length=6, min_length=6, widget=code_input())


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("身份证号或手机号"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "characters"}),
    )
    password = forms.CharField(label=_("密码"), strip=False, widget=password_input("current-password"))
    error_messages = {
        "invalid_login": _("账号或密码不正确（账号为身份证号或已确认的手机号）"),
        "inactive": _("该账号尚未启用"),
    }


class PasswordResetStartForm(forms.Form):
    identifier = forms.CharField(
        label=_("身份证号或手机号"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "characters"}),
    )


class PasswordResetFinishForm(PasswordPair):
    code = forms.CharField(label=_("短信验证码"), max_length=6, min_length=6, widget=code_input())
    field_order = ["code", "password", "password2"]


class OrganisationRegistrationForm(PasswordPair):
    kind = forms.ChoiceField(label=_("单位类型"), choices=Organisation.Kind.choices)
    name = forms.CharField(label=_("单位名称"), max_length=100)
    uscc = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocapitalize": "characters", "autocorrect": "off", "spellcheck": "false"}
        ),
    )
    admin_name = forms.CharField(label=_("管理员姓名"), max_length=40, widget=name_input("name"))
    mobile = forms.CharField(label=_("管理员手机号"), max_length=20, widget=mobile_input())
    field_order = ["kind", "name", "uscc", "admin_name", "mobile", "password", "password2"]


class StaffForm(forms.Form):  # a colleague's account: not the administrator's own details
    name = forms.CharField(label=_("姓名"), max_length=40, widget=name_input())
    mobile = forms.CharField(label=_("手机号"), max_length=20, widget=mobile_input("off"))
    password = forms.CharField(label=_("初始密码"), widget=password_input(), strip=False)


class RosterEntryForm(forms.Form):
    id_number = forms.CharField(label=_("身份证号"), max_length=20, widget=id_number_input())
    name = forms.CharField(label=_("姓名"), max_length=40, widget=name_input())
    post = forms.ModelChoiceField(label=_("岗位"), queryset=Post.objects.filter(is_active=True))
    started_on = forms.DateField(label=_("起始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    ended_on = forms.DateField(
        label=_("截止日期（可空）"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class RosterEndForm(forms.Form):
    ended_on = forms.DateField(
        label=_("截止日期（离职日期）"), widget=forms.DateInput(attrs={"type": "date"})
    )


class NoticeEmailForm(forms.Form):
    email = forms.EmailField(
        label=_("通知邮箱（可空）"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("继续教育提醒等通知除短信外也发到此邮箱；留空则只发短信"),
    )


class TrainingForm(forms.Form):
    id_number = forms.CharField(label=_("身份证号"), max_length=20, widget=id_number_input())
    name = forms.CharField(label=_("姓名"), max_length=40, widget=name_input())
    post = forms.ModelChoiceField(label=_("岗位"), queryset=Post.objects.filter(is_active=True))
    examined_on = forms.DateField(label=_("考核日期"), widget=forms.DateInput(attrs={"type": "date"}))
    score = forms.IntegerField(label=_("考核成绩"), min_value=0, max_value=100)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("文件（.xlsx 或 .csv）"))


class DisputeForm(forms.Form):
    reason = forms.CharField(label=_("异议说明"), max_length=200, widget=forms.Textarea(attrs={"rows": 3}))


class TokenForm(forms.Form):
    name = forms.CharField(label=_("令牌名称（用途）"), max_length=60)


class StaffFilterForm(forms.Form):
    post = forms.ModelChoiceField(
        label=_("岗位"), queryset=Post.objects.all(), required=False, empty_label=_("全部岗位")
    )
    status = forms.ChoiceField(label=_("证书状态"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("全部状态")), *STAFF_STATUSES]


class CourseForm(forms.Form):
    code = forms.SlugField(label=_("课程代码"), max_length=40)
    title = forms.CharField(label=_("课程名称"), max_length=120)
    class_hours = forms.IntegerField(label=_("学时"), min_value=1, max_value=200)
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices)
    posts = forms.ModelMultipleChoiceField(
        label=_("适用岗位（专业课程）"),
        queryset=Post.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    summary = forms.CharField(label=_("简介"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class UnitForm(forms.Form):
    title = forms.CharField(label=_("单元名称"), max_length=120)
    kind = forms.ChoiceField(label=_("类型"), choices=Unit.Kind.choices)
    minutes = forms.IntegerField(label=_("要求学习时长（分钟）"), min_value=1, max_value=600)
    body = forms.CharField(label=_("内容"), required=False, widget=forms.Textarea(attrs={"rows": 6}))


class CertificateRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("申请类型"), choices=CertificateRequest.Kind.choices)
    reason = forms.CharField(label=_("申请理由"), max_length=200)
    new_name = forms.CharField(
        label=_("变更后姓名"),
        max_length=40,
        required=False,
        help_text=_("仅信息变更时填写，须与户籍一致"),
        widget=name_input(),
    )


class NumberQueryForm(forms.Form):
    certificate_no = forms.CharField(
        label=_("证书编号"),
        max_length=64,
        widget=forms.TextInput(
            attrs={"autocapitalize": "characters", "autocorrect": "off", "spellcheck": "false"}
        ),
    )

    def clean_certificate_no(self):
        return clean(self.cleaned_data["certificate_no"])


class PersonQueryForm(forms.Form):
    id_number = forms.CharField(label=_("身份证号"), max_length=30, widget=id_number_input())
    name = forms.CharField(label=_("姓名"), max_length=40, widget=name_input())

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
