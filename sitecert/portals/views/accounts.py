"""Registration, mobile confirmation, login, password reset: the same pages for every kind of account."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sitecert import clock
from sitecert.errors import DomainError
from sitecert.people import services
from sitecert.people.models import User
from sitecert.portals.forms import (
    CodeForm,
    HolderRegistrationForm,
    LoginForm,
    NoticeEmailForm,
    OrganisationRegistrationForm,
    PasswordResetFinishForm,
    PasswordResetStartForm,
    show_error,
)

PENDING = "pending_account"
RESETTING = "resetting_account"


def _pending(request, key: str) -> User | None:
    pk = request.session.get(key)
    return User.objects.filter(pk=pk).first() if pk else None


def _registration(request, form_class, template: str, register):
    """Fill the form, start the account with `register(cleaned_data)`, then confirm the mobile number."""
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = register(form.cleaned_data)
        except DomainError as exc:
            show_error(form, exc)
        else:
            request.session[PENDING] = user.pk
            return redirect("register-confirm")
    return render(request, template, {"form": form})


@require_http_methods(["GET", "POST"])
def register(request):
    def start(data):
        return services.holder_register(
            name=data["name"],
            id_number=data["id_number"],
            mobile=data["mobile"],
            password=data["password"],
            now=clock.now(),
        )

    return _registration(request, HolderRegistrationForm, "portals/register.html", start)


@require_http_methods(["GET", "POST"])
def register_organisation(request):
    def start(data):
        return services.organisation_register(
            kind=data["kind"],
            name=data["name"],
            uscc_code=data["uscc"],
            admin_name=data["admin_name"],
            mobile=data["mobile"],
            password=data["password"],
            now=clock.now(),
        )

    return _registration(request, OrganisationRegistrationForm, "portals/register_organisation.html", start)


@require_http_methods(["GET", "POST"])
def register_confirm(request):
    user = _pending(request, PENDING)
    if user is None:
        return redirect("register")
    form, error = CodeForm(request.POST or None), None
    if request.method == "POST" and "resend" in request.POST:
        form = CodeForm()
        try:
            services.one_time_code_send(user=user, purpose="register", mobile=user.mobile, now=clock.now())
        except DomainError as exc:
            error = exc.message
    elif request.method == "POST" and form.is_valid():
        try:
            services.account_confirm_mobile(user=user, code=form.cleaned_data["code"], now=clock.now())
        except DomainError as exc:
            show_error(form, exc)
        else:
            del request.session[PENDING]
            login(request, user, backend="sitecert.people.backends.IdentifierBackend")
            return redirect("portal-home")
    context = {"form": form, "mobile": user.masked_mobile, "error": error}
    return render(request, "portals/register_confirm.html", context)


class Login(LoginView):
    form_class = LoginForm
    template_name = "portals/login.html"
    redirect_authenticated_user = True


def locked_out(request, response=None, credentials=None, *args, **kwargs):
    """django-axes: too many failed logins for this account or from this address."""
    error = _("登录失败次数过多，账号或所在网络已暂停登录15分钟；可通过“找回密码”重设密码。")
    return render(request, "portals/login.html", {"form": LoginForm(request), "error": error}, status=429)


@require_http_methods(["GET", "POST"])
def password_reset(request):
    form = PasswordResetStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.password_reset_start(identifier=form.cleaned_data["identifier"], now=clock.now())
        except DomainError as exc:
            show_error(form, exc)
        else:
            request.session[RESETTING] = user.pk if user else None
            return redirect("password-reset-finish")
    return render(request, "portals/password_reset.html", {"form": form})


@require_http_methods(["GET", "POST"])
def password_reset_finish(request):
    if RESETTING not in request.session:
        return redirect("password-reset")
    form = PasswordResetFinishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_finish(
                user=_pending(request, RESETTING),
                code=form.cleaned_data["code"],
                password=form.cleaned_data["password"],
                now=clock.now(),
            )
        except DomainError as exc:
            show_error(form, exc)
        else:
            del request.session[RESETTING]
            return redirect(reverse("login") + "?reset=1")
    return render(request, "portals/password_reset_finish.html", {"form": form})


def portal_home(request):
    """After login: each kind of account to its own home."""
    user = request.user
    if not user.is_authenticated:
        return redirect("login")
    if user.is_staff:
        return redirect("authority-home")
    if user.organisation_id:
        return redirect("org-home")
    return redirect("holder-home")


@login_required
@require_http_methods(["GET", "POST"])
def notice_email(request):
    """Where reminders and notices go besides SMS: the account's e-mail address (or none)."""
    form = NoticeEmailForm(request.POST or None, initial={"email": request.user.email})
    if request.method == "POST" and form.is_valid():
        request.user.email = form.cleaned_data["email"]
        request.user.save(update_fields=["email"])
        messages.success(request, _("已保存通知邮箱") if request.user.email else _("已取消邮件通知"))
        return redirect("portal-home")
    return render(request, "portals/notice_email.html", {"form": form})
