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
from sitecert.learning.models import AssessmentAttempt, Course, Enrolment
from sitecert.portals import files
from sitecert.portals.access import holder_required
from sitecert.registry.models import LegacyCertificate


def _certificate(request, pk: int) -> LegacyCertificate:
    return get_object_or_404(
        LegacyCertificate.objects.select_related("post"), pk=pk, holder_id=request.user.person_id
    )


def _enrolment(request, pk: int) -> Enrolment:
    try:
        return selectors.enrolment_for(user=request.user, pk=pk)
    except Enrolment.DoesNotExist:
        raise Http404 from None


@holder_required
def catalogue(request, certificate: int):
    cert = _certificate(request, certificate)
    enrolled = dict(Enrolment.objects.filter(certificate=cert).values_list("course_id", "pk"))
    context = {
        "certificate": cert,
        "courses": [(course, enrolled.get(course.pk)) for course in selectors.courses_for(certificate=cert)],
        "records": selectors.hour_records(certificate=cert),
        "passed": assessments.assessment_passed(certificate=cert, until=clock.today()),
        "attempts": cert.assessment_attempts.order_by("-started_at")[:5],
    }
    return render(request, "portals/learn_catalogue.html", context)


@holder_required
@require_POST
def enrol(request, certificate: int, course: int):
    cert = _certificate(request, certificate)
    try:
        enrolment = services.enrolment_create(
            user=request.user, certificate=cert, course=get_object_or_404(Course, pk=course)
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("learn-catalogue", certificate=cert.pk)
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
def assessment_start(request, certificate: int):
    cert = _certificate(request, certificate)
    try:
        attempt = assessments.attempt_start(user=request.user, certificate=cert, now=clock.now())
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("learn-catalogue", certificate=cert.pk)
    return redirect("learn-assessment", attempt=attempt.pk)


@holder_required
def assessment(request, attempt: int):
    attempt = get_object_or_404(
        AssessmentAttempt.objects.select_related("certificate__post"), pk=attempt, user=request.user
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
def proof_of_hours(request, certificate: int, year: int):
    cert = _certificate(request, certificate)
    token = proof.proof_token(certificate=cert, year=year)
    url = request.build_absolute_uri(reverse("verify-hours", args=[token]))
    pdf = proof.proof_of_hours_pdf(certificate=cert, year=year, verify_url=url, today=clock.today())
    return files.attachment(f"hours-{cert.certificate_no}-{year}.pdf", files.PDF, pdf)


def verify_hours(request, token: str):
    """The public page a proof's QR code opens: the live record behind the print (ID number masked)."""
    found = proof.proof_token_read(token)
    cert = (
        LegacyCertificate.objects.select_related("holder", "post").filter(certificate_no=found[0]).first()
        if found
        else None
    )
    if cert is None:
        return render(request, "portals/verify_hours.html", {"forged": True}, status=404)
    record = next((r for r in selectors.hour_records(certificate=cert) if r.year == found[1]), None)
    context = {
        "certificate": cert,
        "year": found[1],
        "record": record,
        "passed": assessments.assessment_passed(certificate=cert, until=clock.today()),
    }
    return render(request, "portals/verify_hours.html", context)
