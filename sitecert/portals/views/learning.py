"""The holder's learning pages: the catalogue for a certificate, a course, a unit being learnt."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from sitecert import clock
from sitecert.errors import DomainError
from sitecert.learning import assessments, proof, selectors, services, timekeeping
from sitecert.learning.hooks import learning_refusal
from sitecert.learning.models import AssessmentAttempt, Course, Enrolment, TrainingRecord
from sitecert.learning.records import record_for_legacy, records_of_legacies
from sitecert.portals import files
from sitecert.portals.access import holder_required
from sitecert.portals.selectors import record_number, year_standing
from sitecert.registry.models import LegacyCertificate


def _record(request, pk: int) -> TrainingRecord:
    return get_object_or_404(
        TrainingRecord.objects.select_related("post", "legacy", "person"),
        pk=pk,
        person_id=request.user.person_id,
    )


def _enrolment(request, pk: int) -> Enrolment:
    try:
        return selectors.enrolment_for(user=request.user, pk=pk)
    except Enrolment.DoesNotExist:
        raise Http404 from None


@holder_required
@require_POST
def begin(request, certificate: int):
    """Begin learning for one of the holder's old certificates: its training record, then its catalogue."""
    legacy = get_object_or_404(LegacyCertificate, pk=certificate, holder_id=request.user.person_id)
    record = records_of_legacies([legacy])[legacy.pk]
    if reason := learning_refusal(record, clock.today()):
        messages.error(request, reason)
        return redirect("holder-home")
    return redirect("learn-catalogue", record=record_for_legacy(legacy, now=clock.now()).pk)


@holder_required
def catalogue(request, record: int):
    record = _record(request, record)
    today = clock.today()
    context = {
        "record": record,
        "number": record_number(record),
        "refusal": learning_refusal(record, today),
        "year": year_standing(record, today),
        "courses": selectors.courses_with_enrolments(record=record, today=today),
        "records": selectors.hour_records(record=record),
        "passed": assessments.assessment_passed(record=record, until=today),
        "attempts": record.assessment_attempts.order_by("-started_at")[:5],
    }
    return render(request, "portals/learn_catalogue.html", context)


@holder_required
@require_POST
def enrol(request, record: int, course: int):
    record = _record(request, record)
    try:
        enrolment = services.enrolment_create(
            user=request.user, record=record, course=get_object_or_404(Course, pk=course), today=clock.today()
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("learn-catalogue", record=record.pk)
    return redirect("learn-course", enrolment=enrolment.pk)


@holder_required
def course(request, enrolment: int):
    enrolment = _enrolment(request, enrolment)
    progress = {p.unit_id: p for p in enrolment.progress.all()}
    units = [(unit, progress.get(unit.pk)) for unit in enrolment.course.units.all()]
    rules = timekeeping.rules_in_words(on=clock.today())
    return render(
        request, "portals/learn_course.html", {"enrolment": enrolment, "units": units, "rules": rules}
    )


@holder_required
def unit(request, enrolment: int, order: int):
    enrolment = _enrolment(request, enrolment)
    unit = get_object_or_404(enrolment.course.units, order=order)
    return render(request, "portals/learn_unit.html", {"enrolment": enrolment, "unit": unit})


@holder_required
@require_POST
def assessment_start(request, record: int):
    record = _record(request, record)
    try:
        attempt = assessments.attempt_start(user=request.user, record=record, now=clock.now())
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("learn-catalogue", record=record.pk)
    return redirect("learn-assessment", attempt=attempt.pk)


@holder_required
def assessment(request, attempt: int):
    attempt = get_object_or_404(
        AssessmentAttempt.objects.select_related("record__post"), pk=attempt, user=request.user
    )
    if request.method == "POST" and attempt.submitted_at is None:
        answers = {}
        for item in attempt.paper:
            chosen = request.POST.getlist(f"q{item['question']}")
            answers[item["question"]] = [int(c) for c in chosen if c.isdigit()]
        try:
            attempt = assessments.attempt_submit(
                attempt=attempt, user=request.user, answers=answers, now=clock.now()
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("learn-assessment", attempt=attempt.pk)
    paper = [] if attempt.submitted_at else assessments.attempt_paper(attempt=attempt)
    policy = assessments.rules(timezone.localdate(attempt.started_at))
    rules = {"pass_mark": policy.pass_mark, "minutes": policy.minutes}
    return render(
        request, "portals/learn_assessment.html", {"attempt": attempt, "paper": paper, "rules": rules}
    )


@holder_required
def proof_of_hours(request, record: int, year: int):
    record = _record(request, record)
    number = record_number(record)
    token = proof.proof_token(record=record, number=number, year=year)
    url = request.build_absolute_uri(reverse("verify-hours", args=[token]))
    pdf = proof.proof_of_hours_pdf(
        record=record, number=number, year=year, verify_url=url, today=clock.today()
    )
    return files.attachment(f"hours-{number}-{year}.pdf", files.PDF, pdf)


def verify_hours(request, token: str):
    """The public page a proof's QR code opens: the live record behind the print (ID number masked)."""
    found = proof.proof_token_read(token)
    record = (
        TrainingRecord.objects.select_related("person", "post").filter(pk=found[0]).first() if found else None
    )
    if record is None:
        return render(request, "portals/verify_hours.html", {"forged": True}, status=404)
    _pk, number, year = found
    context = {
        "record": record,
        "number": number,
        "year": year,
        "hours": next((r for r in selectors.hour_records(record=record) if r.year == year), None),
        "passed": assessments.assessment_passed(record=record, until=clock.today()),
    }
    return render(request, "portals/verify_hours.html", context)
