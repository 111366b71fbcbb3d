"""The heartbeat API the course pages call (and a mobile app could): open a unit, beat, come back."""

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from sitecert import clock
from sitecert.learning import timekeeping
from sitecert.learning.models import Enrolment, Unit
from sitecert.people.api import AUTH, ErrorOut

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


class BeatIn(Schema):
    seq: int
    visible: bool = True


class BeatOut(Schema):
    accepted: bool
    credited: int
    state: str
    reason: str
    unit_seconds: int
    unit_required: int
    unit_complete: bool


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
    result = timekeeping.session_beat(
        token=token, user=request.user, seq=payload.seq, visible=payload.visible, now=clock.now()
    )
    return {**result.__dict__, "unit_complete": result.unit_complete}


@router.post(
    "/sessions/{token}/resume",
    response={200: SessionOut, 404: ErrorOut, 409: ErrorOut},
    summary="回到学习（页面可见、确认在场）/ Resume",
)
def resume(request, token: str):
    return _session_out(timekeeping.session_resume(token=token, user=request.user, now=clock.now()))
