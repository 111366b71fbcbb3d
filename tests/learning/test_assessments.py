"""考核: a paper per attempt, shuffled options, a time limit, server grading, an attempt limit."""

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sitecert.errors import DomainError
from sitecert.learning.assessments import assessment_passed, attempt_paper, attempt_start, attempt_submit
from sitecert.learning.models import Question, QuestionBank
from sitecert.learning.records import record_for_legacy
from sitecert.registry.models import Post

pytestmark = pytest.mark.django_db
T0 = datetime(2020, 10, 8, 14, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
TOPICS = ["脚手架搭设", "模板支撑", "混凝土浇筑", "钢筋验收", "土方开挖", "基坑支护", "临时用电", "塔吊安装"]


@pytest.fixture
def bank(policy):
    policy(questions=6)
    bank = QuestionBank.objects.create(
        post=Post.objects.get(code="builder-civil"), title="施工员（土建施工）题库"
    )
    for i, topic in enumerate(TOPICS * 2):
        if i % 3 == 0:
            Question.objects.create(
                bank=bank,
                kind="truefalse",
                text=f"{topic}前应编制专项方案并交底。（{i}）",
                options=["正确", "错误"],
                answer=[0],
            )
        elif i % 3 == 1:
            Question.objects.create(
                bank=bank,
                kind="single",
                text=f"{topic}由谁组织验收？（{i}）",
                options=["项目技术负责人", "材料员", "劳务员", "资料员"],
                answer=[0],
            )
        else:
            Question.objects.create(
                bank=bank,
                kind="multiple",
                text=f"{topic}应检查哪些内容？（{i}）",
                options=["方案", "交底记录", "天气预报", "验收记录"],
                answer=[0, 1, 3],
            )
    return bank


@pytest.fixture
def cert(personas):
    """王芳's training record for her builder-civil certificate TJ2015000101."""
    return record_for_legacy(
        personas.holder.person.legacy_certificates.get(certificate_no="TJ2015000101"), now=T0
    )


def correct_answers(attempt):
    """What a learner who knows the material ticks, in the positions the page shows."""
    answers = {}
    for item in attempt.paper:
        right = set(Question.objects.get(pk=item["question"]).answer)
        answers[item["question"]] = [pos for pos, index in enumerate(item["order"]) if index in right]
    return answers


def test_each_attempt_draws_its_own_paper_with_shuffled_options(personas, bank, cert):
    first = attempt_start(user=personas.holder, record=cert, now=T0, rng=random.Random(1))
    second = attempt_start(user=personas.holder, record=cert, now=T0, rng=random.Random(2))
    assert [i["question"] for i in first.paper] != [i["question"] for i in second.paper]
    assert any(item["order"] != sorted(item["order"]) for item in first.paper)
    shown = attempt_paper(attempt=first)
    assert len(shown) == 6 and all("answer" not in vars(q) for q in shown)


def test_the_server_grades_through_the_shuffle(personas, bank, cert):
    attempt = attempt_start(user=personas.holder, record=cert, now=T0)
    graded = attempt_submit(
        attempt=attempt,
        user=personas.holder,
        answers=correct_answers(attempt),
        now=T0 + timedelta(minutes=10),
    )
    assert (graded.score, graded.passed) == (100, True)
    result = assessment_passed(record=cert, until=T0.date() + timedelta(days=1))
    assert (result.score, result.on.isoformat(), result.source) == (100, "2020-10-08", "online")


def test_answers_in_the_stored_order_instead_of_the_shown_one_fail(personas, bank, cert):
    attempt = attempt_start(user=personas.holder, record=cert, now=T0, rng=random.Random(5))
    unshuffled = {i["question"]: Question.objects.get(pk=i["question"]).answer for i in attempt.paper}
    graded = attempt_submit(
        attempt=attempt, user=personas.holder, answers=unshuffled, now=T0 + timedelta(minutes=5)
    )
    assert graded.score < 100


def test_below_the_pass_mark_fails(personas, bank, cert):
    attempt = attempt_start(user=personas.holder, record=cert, now=T0)
    answers = correct_answers(attempt)
    for qid in list(answers)[:3]:
        answers[qid] = []
    graded = attempt_submit(
        attempt=attempt, user=personas.holder, answers=answers, now=T0 + timedelta(minutes=5)
    )
    assert (graded.score, graded.passed) == (50, False)
    assert assessment_passed(record=cert, until=T0.date() + timedelta(days=1)) is None


def test_a_paper_after_its_time_limit_scores_nothing(personas, bank, cert):
    attempt = attempt_start(user=personas.holder, record=cert, now=T0)
    late = attempt_submit(
        attempt=attempt,
        user=personas.holder,
        answers=correct_answers(attempt),
        now=T0 + timedelta(minutes=32),
    )
    assert (late.score, late.passed) == (0, False)


def test_a_paper_is_submitted_once(personas, bank, cert):
    attempt = attempt_start(user=personas.holder, record=cert, now=T0)
    attempt_submit(attempt=attempt, user=personas.holder, answers={}, now=T0 + timedelta(minutes=1))
    with pytest.raises(DomainError) as again:
        attempt_submit(
            attempt=attempt,
            user=personas.holder,
            answers=correct_answers(attempt),
            now=T0 + timedelta(minutes=2),
        )
    assert again.value.code == "submitted"


def test_attempts_are_limited_per_period(personas, bank, cert):
    for minute in range(3):
        attempt_start(user=personas.holder, record=cert, now=T0 + timedelta(minutes=minute))
    with pytest.raises(DomainError) as limited:
        attempt_start(user=personas.holder, record=cert, now=T0 + timedelta(days=6))
    assert limited.value.code == "attempts_used"
    assert attempt_start(user=personas.holder, record=cert, now=T0 + timedelta(days=7, minutes=1))


def test_the_assessment_is_the_one_of_the_certificates_post(personas, bank):
    records = record_for_legacy(
        personas.holder.person.legacy_certificates.get(certificate_no="TJ2016000102"), now=T0
    )
    with pytest.raises(DomainError) as no_bank:
        attempt_start(user=personas.holder, record=records, now=T0)
    assert no_bank.value.code == "no_bank"


def test_nobody_sits_or_submits_for_someone_else(personas, bank, cert):
    with pytest.raises(DomainError):
        attempt_start(user=personas.other_holder, record=cert, now=T0)
    attempt = attempt_start(user=personas.holder, record=cert, now=T0)
    from sitecert.learning.models import AssessmentAttempt

    with pytest.raises(AssessmentAttempt.DoesNotExist):
        attempt_submit(attempt=attempt, user=personas.other_holder, answers={}, now=T0)
