"""Registration, mobile confirmation, login, password reset: the same pages for every kind of account."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sitecert import clock
from sitecert.errors import DomainError
from sitecert.lib.textnorm import clean
from sitecert.people import services
from sitecert.portals import logins
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
from sitecert.throttle import RateLimited, check_rate

PENDING = "registration_ticket"
RESETTING = "reset_ticket"


def _ticket(request, key: str, purpose: str):
    """The ticket this browser holds for a code step, or None (no step started, or a stale one)."""
    value = request.session.get(key)
    if not value:
        return None
    try:
        return services.ticket_read(value, purpose=purpose, now=clock.now())
    except DomainError:
        del request.session[key]
        return None


def _limits(request, budgets) -> RateLimited | None:
    """Count the request against each (group, rate setting, key) budget; the first refusal, if any."""
    for group, rate_setting, key in budgets:
        try:
            check_rate(request, group=group, rate_setting=rate_setting, key=key)
        except RateLimited as exc:
            return exc
    return None


def _refuse(request, template: str, form, exc: RateLimited, message: str | None = None):
    """A form page's 429: the reason above the form, and when to come back."""
    form.add_error(None, message or exc.message or _("请求过于频繁，请稍后再试"))
    response = render(request, template, {"form": form}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


def _steady(started: float) -> None:
    """Answer no sooner than ACCOUNT_ANSWER_SECONDS after `started`: an existing account's SMS and
    database work must not make its answer slower than a missing account's."""
    left = settings.ACCOUNT_ANSWER_SECONDS - (time.monotonic() - started)
    if left > 0:
        time.sleep(left)


def _registration(request, form_class, template: str, register, id_field: str):
    """Fill the form, start the account with `register(cleaned_data)`, then confirm the mobile number.
    Per address and per ID number (or credit code) registrations are limited; the SMS layer limits codes
    per mobile number."""
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        key = clean(form.cleaned_data[id_field]).upper()
        budgets = [("register", "REGISTER_RATE", None), ("register-id", "REGISTER_ID_RATE", key)]
        if refused := _limits(request, budgets):
            return _refuse(request, template, form, refused, _("注册请求过于频繁，请稍后再试"))
        try:
            ticket = register(form.cleaned_data)
        except RateLimited as exc:
            return _refuse(request, template, form, exc)
        except DomainError as exc:
            show_error(form, exc)
        else:
            request.session[PENDING] = ticket.value
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

    return _registration(request, HolderRegistrationForm, "portals/register.html", start, "id_number")


@require_http_methods(["GET", "POST"])
def register_organisation(request):
    def start(data):
        user = services.organisation_register(
            kind=data["kind"],
            name=data["name"],
            uscc_code=data["uscc"],
            admin_name=data["admin_name"],
            mobile=data["mobile"],
            password=data["password"],
            now=clock.now(),
        )
        return services.ticket_issue(user=user, purpose="register", mobile=user.mobile, now=clock.now())

    template = "portals/register_organisation.html"
    return _registration(request, OrganisationRegistrationForm, template, start, "uscc")


@require_http_methods(["GET", "POST"])
def register_confirm(request):
    ticket = _ticket(request, PENDING, "register")
    if ticket is None:
        return redirect("register")
    form, error = CodeForm(request.POST or None), None
    if request.method == "POST" and "resend" in request.POST:
        form = CodeForm()
        try:
            services.registration_resend(ticket=ticket, now=clock.now())
        except RateLimited as exc:
            error = exc.message
    elif request.method == "POST" and form.is_valid():
        try:
            user = services.account_confirm_mobile(
                ticket=ticket, code=form.cleaned_data["code"], now=clock.now()
            )
        except DomainError as exc:
            show_error(form, exc)
        else:
            del request.session[PENDING]
            login(request, user, backend="sitecert.people.backends.IdentifierBackend")
            return redirect("portal-home")
    context = {"form": form, "mobile": ticket.mobile_masked, "error": error}
    return render(request, "portals/register_confirm.html", context)


class Login(LoginView):
    """Log in; an account tried too often from elsewhere waits (portals/logins.py), a known device not."""

    form_class = LoginForm
    template_name = "portals/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        wait = logins.account_wait(request, request.POST.get("username", ""), now=clock.now())
        if wait:
            error = _("该账号近期登录失败次数较多，请%(n)d秒后再试；可通过“找回密码”重设密码。") % {"n": wait}
            response = render(
                request, self.template_name, {"form": LoginForm(request), "error": error}, status=429
            )
            response["Retry-After"] = str(wait)
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        logins.remember_device(self.request, response, form.get_user())
        return response


def locked_out(request, response=None, credentials=None, *args, **kwargs):
    """django-axes: too many failed logins for this account or from this address."""
    error = _("登录失败次数过多，已暂停从本网络登录15分钟；可通过“找回密码”重设密码。")
    if request.path.startswith("/api/"):  # the API's one error shape, not the login page
        response = JsonResponse({"message": error, "details": None}, status=429)
    else:
        response = render(
            request, "portals/login.html", {"form": LoginForm(request), "error": error}, status=429
        )
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME * 3600))
    return response


@require_http_methods(["GET", "POST"])
def password_reset(request):
    """The same answer, in the same time, whether the account exists or not (docs/security.md)."""
    form = PasswordResetStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        started = time.monotonic()
        identifier = clean(form.cleaned_data["identifier"]).upper()
        budgets = [("reset", "RESET_RATE", None), ("reset-id", "RESET_ID_RATE", identifier)]
        if refused := _limits(request, budgets):
            return _refuse(request, "portals/password_reset.html", form, refused)
        ticket = services.password_reset_start(identifier=form.cleaned_data["identifier"], now=clock.now())
        request.session[RESETTING] = ticket.value
        _steady(started)
        return redirect("password-reset-finish")
    return render(request, "portals/password_reset.html", {"form": form})


@require_http_methods(["GET", "POST"])
def password_reset_finish(request):
    ticket = _ticket(request, RESETTING, "reset")
    if ticket is None:
        return redirect("password-reset")
    form = PasswordResetFinishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        started = time.monotonic()
        try:
            services.password_reset_finish(
                ticket=ticket,
                code=form.cleaned_data["code"],
                password=form.cleaned_data["password"],
                now=clock.now(),
            )
        except DomainError as exc:
            show_error(form, exc)
        else:
            del request.session[RESETTING]
            _steady(started)
            return redirect(reverse("login") + "?reset=1")
        _steady(started)
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
