"""The heartbeat API the course pages call (and a mobile app could): open a unit, beat, come back."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import BaseModel

from sitecert import clock
from sitecert.api.certificates import TrainingIn, TrainingOut, training_report
from sitecert.api.common import AUTH, ErrorOut
from sitecert.learning import reports, timekeeping
from sitecert.learning.models import Enrolment, Unit

router = Router(tags=["learning 继续教育"], auth=AUTH)


class OpenIn(Schema):
    enrolment_id: int
    unit_id: int
    device: str


class SessionOut(Schema):
    token: str
    heartbeat_seconds: int
    position: int
    credited_seconds: int
    required_seconds: int
    state: str


class BeatIn(BaseModel):  # pydantic's own: a ninja Schema's wrapper for model objects costs a beat 9 us
    seq: int
    visible: bool = True
    echo: str = Field(
        "",
        max_length=1000,
        description="上次应答的 echo，原样发回（可省略）/ The last answer's echo, sent back as it was (optional)",
    )


class BeatOut(Schema):
    accepted: bool
    credited: int
    state: str
    reason: str
    unit_seconds: int
    unit_required: int
    unit_complete: bool
    echo: str = Field(
        description="下次心跳原样发回，免去一次读取；为空时不发 / For the page or API client to send back with "
        "its next beat, which then needs no read; empty where there is none"
    )


def _session_out(session) -> dict:
    progress = session.progress
    return {
        "token": session.token,
        "heartbeat_seconds": timekeeping.rule("HEARTBEAT"),
        "position": progress.position,
        "credited_seconds": progress.credited_seconds,
        "required_seconds": progress.unit.required_seconds,
        "state": session.state,
    }


@router.post("/sessions", response={201: SessionOut, 404: ErrorOut}, summary="打开学习单元 / Open a unit")
def open_session(request, payload: OpenIn):
    enrolment = get_object_or_404(Enrolment, pk=payload.enrolment_id, user=request.user)
    unit = get_object_or_404(Unit, pk=payload.unit_id, course_id=enrolment.course_id)
    session = timekeeping.session_open(enrolment=enrolment, unit=unit, device=payload.device, now=clock.now())
    return Status(201, _session_out(session))


@router.post("/sessions/{token}/beats", response={200: BeatOut, 404: ErrorOut}, summary="心跳 / Heartbeat")
def beat(request, token: str, payload: BeatIn):
    return beat_answer(request, token, payload, asker=_asker(request))


def _asker(request):
    """Who beats, as the stack authenticated them: an API client by its token, or a page by its web session."""
    if getattr(request, "api_token", None):
        return timekeeping.Bearer(request.api_token.digest, lambda: request.api_token)
    return timekeeping.SignedIn(
        request.session.session_key or "", lambda owner, _row: owner.pk == request.user.pk
    )


def beat_answer(request, token: str, payload: BeatIn, asker) -> dict:
    """The operation's answer; also given by the hot path's middleware (api/hotpath.py) without the stack,
    which checks the request's credentials on the session's owner as read with it (`asker`)."""
    result = timekeeping.session_beat(
        token=token,
        user=asker,
        seq=payload.seq,
        visible=payload.visible,
        now=clock.now(),
        echo=payload.echo,
    )
    return {**result.__dict__, "unit_complete": result.unit_complete}


@router.post(
    "/sessions/{token}/resume",
    response={200: SessionOut, 404: ErrorOut, 409: ErrorOut},
    summary="回到学习（页面可见、确认在场）/ Resume",
)
def resume(request, token: str):
    return _session_out(timekeeping.session_resume(token=token, user=request.user, now=clock.now()))


class ReportRowIn(Schema):
    id_number: str
    name: str
    certificate_no: str
    course: str
    hours: str
    category: str
    completed_on: str
    score: str = ""


class ReportOut(Schema):
    created: int
    unchanged: int
    rejected: int
    rejections: list[list[int | str]]  # [row, column, code, message], as the upload report


@router.post(
    "/reports",
    response={200: ReportOut, 403: ErrorOut},
    summary="培训机构上报线下学时 / Report offline hours",
)
def report(request, rows: list[ReportRowIn]):
    institution = request.user.organisation
    if institution is None:
        raise HttpError(403, _("只有已审核的培训机构可以上报学时"))
    reports.require_institution(institution, request.user)
    numbered = [(n, row.dict()) for n, row in enumerate(rows, 1)]
    result = reports.hour_report_rows(
        institution=institution, rows=numbered, today=clock.today(), now=clock.now()
    )
    return {
        "created": result.created,
        "unchanged": result.unchanged,
        "rejected": result.rejected,
        "rejections": result.rejections,
    }


@router.post(
    "/retraining",
    response={200: TrainingOut, 201: TrainingOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut},
    summary="（旧地址）上报职业培训考核合格 / Former address of POST /api/v1/certificates/training",
    deprecated=True,
)
def retraining(request, payload: TrainingIn):
    """The same as POST /api/v1/certificates/training, kept for the institutions' systems that call it."""
    return training_report(request, payload)
