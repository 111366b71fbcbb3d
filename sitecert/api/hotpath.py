"""The heartbeat's short way through a request: the rush's hot path (issue 17).

In a deadline rush most requests are heartbeats (each learner's page beats every 30–60 s), and Django's
middleware (sessions, locale, CSRF, messages, axes) and the API's routing cost more than the beat itself. This
middleware sits right after the ones that set the security headers and answers an ordinary beat there: the same
authentication (a bearer token, or the web session with its CSRF token), the same schema, the same service and
the same JSON as the documented operation. Anything else (no or a bad credential, a body that does not fit the
schema, a session that is not the asker's) goes on through the whole stack, so every refusal keeps the one shape
and wording the API documents.
"""

import re
from importlib import import_module

from django.conf import settings
from django.contrib import auth
from django.utils.functional import SimpleLazyObject
from ninja.errors import HttpError
from pydantic import ValidationError

from sitecert.api import api
from sitecert.api.common import AUTH
from sitecert.api.learning import BeatIn, beat_answer
from sitecert.errors import DomainError

BEATS = re.compile(r"/api/v1/learning/sessions/(?P<token>[^/]+)/beats")


class Heartbeats:
    def __init__(self, get_response):
        self.get_response = get_response
        self.sessions = import_module(settings.SESSION_ENGINE).SessionStore

    def __call__(self, request):
        found = BEATS.fullmatch(request.path_info) if request.method == "POST" else None
        return (found and self.answer(request, found["token"])) or self.get_response(request)

    def answer(self, request, token: str):
        """The beat's answer, or None where the whole stack should answer."""
        if not self.authenticated(request):
            return None
        try:
            payload = BeatIn.model_validate_json(request.body)
            answer = beat_answer(request, token, payload)
        except (ValidationError, DomainError):
            return None  # changed nothing (the beat's transaction rolled back): the documented route says why
        response = api.create_response(request, answer, status=200)
        response["X-Frame-Options"] = settings.X_FRAME_OPTIONS
        response["Content-Length"] = len(response.content)  # as CommonMiddleware would: no chunked answer
        return response

    def authenticated(self, request) -> bool:
        """The API's own authentication methods, in their order, on what the skipped middleware would set."""
        request.session = self.sessions(request.COOKIES.get(settings.SESSION_COOKIE_NAME))
        request.user = SimpleLazyObject(lambda: auth.get_user(request))
        for method in AUTH:
            try:
                if method(request):
                    return True
            except HttpError:  # a web session without its CSRF token
                return False
        return False
