"""Assessments (考核): each attempt draws its own paper with shuffled options, has a time limit, and is graded
on the server; the answers never leave it before the attempt is submitted."""

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sitecert.errors import DomainError
from sitecert.learning.hooks import learning_refusal, progress_send
from sitecert.learning.models import AssessmentAttempt, Question, QuestionBank, TrainingRecord
from sitecert.people.models import User
from sitecert.policies.selectors import policy_in_force


def rules(on: date):
    """The policy in force on the day holds the assessment's numbers (questions, minutes, pass mark, attempts)."""
    return policy_in_force(on=on)


@dataclass
class PaperQuestion:
    number: int
    question_id: int
    kind: str
    text: str
    options: list[str]  # in the order this attempt shows them


def attempt_start(
    *, user: User, record: TrainingRecord, now: datetime, rng: random.Random | None = None
) -> AssessmentAttempt:
    """A new attempt at the record's post assessment, within the attempts the period allows."""
    if record.person_id != user.person_id:
        raise DomainError(_("只能参加本人证书的考核"), code="forbidden", status=404)
    if reason := learning_refusal(record, timezone.localdate(now)):
        raise DomainError(reason, code="record_closed", status=409)
    bank = QuestionBank.objects.filter(post_id=record.post_id).first()
    if bank is None:
        raise DomainError(_("该岗位的题库尚未开放"), code="no_bank", status=404)
    policy = rules(timezone.localdate(now))
    since = now - timedelta(days=policy.period_days)
    with transaction.atomic():
        # Starts for one record queue on its row, so that two at once cannot both pass the count.
        TrainingRecord.objects.select_for_update().filter(pk=record.pk).first()
        used = AssessmentAttempt.objects.filter(record=record, started_at__gte=since)
        if used.count() >= policy.attempts_per_period:
            raise DomainError(
                _("%(days)d天内最多考核%(n)d次，请稍后再试")
                % {"days": policy.period_days, "n": policy.attempts_per_period},
                code="attempts_used",
                status=429,
            )
        rng = rng or random.SystemRandom()
        ids = list(bank.questions.filter(is_active=True).values_list("id", "options"))
        if len(ids) < policy.questions:
            raise DomainError(_("题库试题不足，暂不能考核"), code="bank_small")
        drawn = rng.sample(ids, policy.questions)
        paper = [
            {"question": qid, "order": rng.sample(range(len(options)), len(options))}
            for qid, options in drawn
        ]
        return AssessmentAttempt.objects.create(
            user=user,
            record=record,
            bank=bank,
            paper=paper,
            started_at=now,
            deadline=now + timedelta(minutes=policy.minutes),
        )


def attempt_paper(*, attempt: AssessmentAttempt) -> list[PaperQuestion]:
    """What the page shows: texts and shuffled options, no answers."""
    questions = Question.objects.in_bulk([item["question"] for item in attempt.paper])
    return [
        PaperQuestion(n, q.pk, q.kind, q.text, [q.options[i] for i in item["order"]])
        for n, item in enumerate(attempt.paper, 1)
        if (q := questions[item["question"]])
    ]


def attempt_submit(
    *, attempt: AssessmentAttempt, user: User, answers: dict[int, list[int]], now: datetime
) -> AssessmentAttempt:
    """Grade on the server. `answers` maps question id to the positions chosen as shown on the page.
    A paper submitted after its deadline (with a minute's grace for the network) scores nothing."""
    with transaction.atomic():
        attempt = AssessmentAttempt.objects.select_for_update().get(pk=attempt.pk, user=user)
        if attempt.submitted_at:
            raise DomainError(_("该试卷已交卷"), code="submitted", status=409)
        questions = Question.objects.in_bulk([item["question"] for item in attempt.paper])
        right = 0
        if now <= attempt.deadline + timedelta(seconds=60):
            for item in attempt.paper:
                shown = answers.get(item["question"], [])
                chosen = {item["order"][p] for p in shown if 0 <= p < len(item["order"])}
                right += chosen == set(questions[item["question"]].answer)
        attempt.score = round(100 * right / len(attempt.paper))
        attempt.passed = attempt.score >= rules(timezone.localdate(now)).pass_mark
        attempt.submitted_at = now
        attempt.save(update_fields=["score", "passed", "submitted_at"])
        if attempt.passed:
            progress_send(records=[attempt.record_id], on=timezone.localdate(now), now=now)
    return attempt


@dataclass
class AssessmentResult:
    score: int
    on: date
    source: str  # "online" or "report"


def assessment_passed(
    *, record: TrainingRecord, until: date, since: date | None = None
) -> AssessmentResult | None:
    """The latest pass of the record's assessment up to `until` (and from `since`): online, or an
    institution's reported score at or above the pass mark of the policy in force on `until`."""
    attempts = record.assessment_attempts.filter(passed=True, submitted_at__date__lte=until)
    reports = record.hour_entries.filter(
        assessment_score__gte=rules(until).pass_mark, completed_on__lte=until
    )
    if since:
        attempts = attempts.filter(submitted_at__date__gte=since)
        reports = reports.filter(completed_on__gte=since)
    results = []
    if attempt := attempts.order_by("-submitted_at").first():
        results.append(AssessmentResult(attempt.score, timezone.localdate(attempt.submitted_at), "online"))
    if reported := reports.order_by("-completed_on").first():
        results.append(AssessmentResult(reported.assessment_score, reported.completed_on, "report"))
    return max(results, key=lambda r: r.on, default=None)
