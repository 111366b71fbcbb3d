"""The organisation's portal (单位): the employer's staff and roster, API tokens, colleagues."""

from functools import partial

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sitecert import clock
from sitecert.certificates.training import ExamReport, training_certificate_issue, training_reports_import
from sitecert.errors import DomainError
from sitecert.learning import services as learning_services
from sitecert.learning.models import Course
from sitecert.learning.reports import hour_report_import
from sitecert.people import roster, services
from sitecert.people.models import Organisation
from sitecert.portals import files
from sitecert.portals.access import (
    api_token_for,
    employer_required,
    organisation_required,
    roster_entry_for_employer,
)
from sitecert.portals.exports import roster_workbook, staff_workbook
from sitecert.portals.forms import (
    CourseForm,
    RosterEndForm,
    RosterEntryForm,
    StaffFilterForm,
    StaffForm,
    TokenForm,
    TrainingForm,
    UnitForm,
    UploadForm,
    show_error,
)
from sitecert.portals.selectors import employer_staff
from sitecert.uploads import upload_on_disk


@organisation_required(active=False)
def home(request):
    org = request.user.organisation
    if not org.is_active:
        return render(request, "portals/org_pending.html", {"org": org})
    if org.kind != org.Kind.EMPLOYER:
        return render(request, "portals/institution_home.html", {"org": org})
    filters = StaffFilterForm(request.GET or None)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    rows = employer_staff(
        employer=org, as_of=clock.today(), post=criteria.get("post"), status=criteria.get("status", "")
    )
    return render(request, "portals/employer_home.html", {"org": org, "rows": rows, "filters": filters})


@employer_required
def staff_export(request):
    filters = StaffFilterForm(request.GET or None)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    rows = employer_staff(
        employer=request.user.organisation,
        as_of=clock.today(),
        post=criteria.get("post"),
        status=criteria.get("status", ""),
    )
    return files.written(
        f"staff-{clock.today():%Y%m%d}.xlsx", files.XLSX, lambda out: staff_workbook(rows, out)
    )


@employer_required
def roster_export(request):
    """The roster as the upload reads it (an empty list is the template)."""
    entries = request.user.organisation.roster.select_related("person", "post").order_by("person__name", "pk")
    return files.written(
        f"roster-{clock.today():%Y%m%d}.xlsx", files.XLSX, lambda out: roster_workbook(entries, out)
    )


@employer_required
@require_http_methods(["GET", "POST"])
def roster_add(request):
    form = RosterEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            roster.roster_entry_add(
                employer=request.user.organisation,
                by=request.user,
                today=clock.today(),
                **form.cleaned_data,
            )
        except DomainError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("已添加"))
            return redirect("org-home")
    return render(request, "portals/roster_add.html", {"form": form})


@employer_required
@require_http_methods(["GET", "POST"])
def roster_end(request, pk: int):
    """The end of an employment: from the day after, the entry opens nothing more."""
    entry = roster_entry_for_employer(request, pk)
    form = RosterEndForm(request.POST or None, initial={"ended_on": clock.today()})
    if request.method == "POST" and form.is_valid():
        try:
            roster.roster_entry_end(
                entry=entry, by=request.user, ended_on=form.cleaned_data["ended_on"], today=clock.today()
            )
        except DomainError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("已记录离职日期"))
            return redirect("org-home")
    return render(request, "portals/roster_end.html", {"form": form, "entry": entry})


@employer_required
@require_http_methods(["GET", "POST"])
def roster_upload(request):
    importer = partial(roster.roster_import, employer=request.user.organisation, by=request.user)
    return _upload_page(request, "portals/roster_upload.html", importer)


def _upload_page(request, template: str, importer):
    """A page that takes a spreadsheet, runs one import service on it and shows its row-numbered report."""
    form = UploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            with upload_on_disk(upload) as path:
                result = importer(path=path, file_name=upload.name, today=clock.today())
        except DomainError as exc:  # the file refused, by its size before it is read too
            show_error(form, exc)
    return render(request, template, {"form": form, "result": result})


@organisation_required(admin=True)
@require_http_methods(["GET", "POST"])
def tokens(request):
    org = request.user.organisation
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, secret = services.api_token_create(
                user=request.user, organisation=org, name=form.cleaned_data["name"]
            )
        except DomainError as exc:
            show_error(form, exc)
    listing = org.api_tokens.select_related("user").order_by("-created_at")
    return render(request, "portals/tokens.html", {"form": form, "tokens": listing, "secret": secret})


@organisation_required(admin=True)
@require_POST
def token_revoke(request, pk: int):
    services.api_token_revoke(token=api_token_for(request, pk), by=request.user, now=clock.now())
    messages.success(request, _("令牌已撤销"))
    return redirect("org-tokens")


@organisation_required(admin=True)
@require_http_methods(["GET", "POST"])
def staff(request):
    org = request.user.organisation
    form = StaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_add(organisation=org, by=request.user, now=clock.now(), **form.cleaned_data)
        except DomainError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("已添加账号"))
            return redirect("org-staff")
    return render(
        request, "portals/staff.html", {"form": form, "accounts": org.staff.order_by("date_joined")}
    )


def help_page(request):
    return render(request, "portals/help_organisation.html")


@organisation_required(kind=Organisation.Kind.INSTITUTION)
@require_http_methods(["GET", "POST"])
def hour_report_upload(request):
    importer = partial(
        hour_report_import, institution=request.user.organisation, by=request.user, now=clock.now()
    )
    return _upload_page(request, "portals/report_upload.html", importer)


institution_required = organisation_required(kind=Organisation.Kind.INSTITUTION)


@institution_required
@require_http_methods(["GET", "POST"])
def training(request):
    """职业培训取证: a passed examination issues the person's e-certificate; one by form, or a file of them."""
    form = TrainingForm(request.POST if "single" in request.POST else None)
    upload = UploadForm(request.POST if "upload" in request.POST else None, request.FILES or None)
    result = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        report = ExamReport(
            data["id_number"], data["name"], data["post"].code, data["examined_on"], data["score"]
        )
        try:
            issued = training_certificate_issue(
                institution=request.user.organisation,
                by=request.user,
                report=report,
                today=clock.today(),
                now=clock.now(),
            )
        except DomainError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("已签发电子证书 %(no)s") % {"no": issued.ecertificate.number})
            return redirect("org-training")
    if upload.is_bound and upload.is_valid():
        try:
            with upload_on_disk(upload.cleaned_data["file"]) as path:
                result = training_reports_import(
                    institution=request.user.organisation,
                    by=request.user,
                    path=path,
                    file_name=upload.cleaned_data["file"].name,
                    today=clock.today(),
                    now=clock.now(),
                )
        except DomainError as exc:  # the file refused, by its size before it is read too
            show_error(upload, exc)
    context = {"form": form if form.is_bound else TrainingForm(), "upload": upload, "result": result}
    return render(request, "portals/training.html", context)


@institution_required
@require_http_methods(["GET", "POST"])
def courses(request):
    org = request.user.organisation
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            course = learning_services.course_create(institution=org, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            show_error(form, exc)
        else:
            return redirect("org-course", pk=course.pk)
    return render(request, "portals/courses.html", {"form": form, "courses": org.courses.order_by("code")})


@institution_required
@require_http_methods(["GET", "POST"])
def course(request, pk: int):
    course = get_object_or_404(Course, pk=pk, institution=request.user.organisation)
    form = UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            learning_services.unit_add(course=course, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            show_error(form, exc)
        else:
            return redirect("org-course", pk=course.pk)
    return render(request, "portals/course.html", {"course": course, "form": form})
