"""The rush's hot paths: short ways through a request for heartbeats and public verifications (issue 17).

In a deadline rush most requests are heartbeats (each learner's page beats every 30–60 s), and Django's
middleware (sessions, locale, CSRF, messages, axes) and the API's routing cost more than the beat itself. This
middleware sits right after the ones that set the security headers and answers an ordinary beat there: the same
authentication (a bearer token, or the web session with its CSRF token), the same schema, the same service and
the same JSON as the documented operation. Anything else (no or a bad credential, a body that does not fit the
schema, a session that is not the asker's) goes on through the whole stack, so every refusal keeps the one shape
and wording the API documents. A beat that echoes its last answer (learning/echo.py) has its credential checked
by its one write instead (people/guards.py): the token is not looked up first, the page's CSRF token still is.

A public verification (a site gate's scan, a number typed in) needs none of what sessions, CSRF, messages and
axes do, and no login: it goes to the API's own view through only the middleware that shapes its answer
(Django's locale, common and clickjacking ones), so every answer, refusal and header is the view's own.
"""

import re
from functools import cache, reduce
from importlib import import_module

from django.conf import settings
from django.contrib import auth
from django.core.exceptions import DisallowedHost
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import Resolver404, URLResolver, get_resolver
from django.utils.functional import SimpleLazyObject
from django.utils.module_loading import import_string
from ninja.errors import HttpError
from pydantic import ValidationError

from sitecert.api import api
from sitecert.api.common import AUTH
from sitecert.api.learning import BeatIn, beat_answer
from sitecert.errors import DomainError
from sitecert.learning.timekeeping import Bearer, SignedIn
from sitecert.people.backends import known
from sitecert.people.models import ApiToken
from sitecert.people.sessions import read_with

BEATS = re.compile(r"/api/v1/learning/sessions/(?P<token>[^/]+)/beats")
VERIFY = "/api/v1/verify"
VERIFY_OPERATIONS = {"verify_by_number", "verify_by_token"}  # public GETs (auth=None), rate-limited inside
# What a public answer goes through, outermost first, as in settings.MIDDLEWARE.
PUBLIC_MIDDLEWARE = (
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
)


class Heartbeats:
    def __init__(self, get_response):
        self.get_response = get_response
        self.sessions = import_module(settings.SESSION_ENGINE).SessionStore
        self.csrf = CsrfViewMiddleware(get_response)  # one for the process, as the whole stack keeps its own

    def __call__(self, request):
        found = BEATS.fullmatch(request.path_info) if request.method == "POST" else None
        return (found and self.answer(request, found["token"])) or self.get_response(request)

    def answer(self, request, token: str):
        """The beat's answer, or None where the whole stack should answer."""
        try:
            request.get_host()  # ALLOWED_HOSTS, as CommonMiddleware checks it on the whole stack
        except DisallowedHost:
            return None
        request.session = self.sessions(request.COOKIES.get(settings.SESSION_COOKIE_NAME))
        request.user = SimpleLazyObject(lambda: auth.get_user(request))
        asker = self.asker(request)
        if asker is None:
            return None
        try:
            payload = BeatIn.model_validate_json(request.body)
            if isinstance(asker, SignedIn) and payload.echo and not self.csrf_passed(request):
                return None  # the whole stack refuses it, as it refuses a page's beat without its CSRF token
            answer = beat_answer(request, token, payload, asker=asker)
        except (ValidationError, DomainError):
            return None  # changed nothing (the beat's transaction rolled back): the documented route says why
        response = api.create_response(request, answer, status=200)
        response["X-Frame-Options"] = settings.X_FRAME_OPTIONS
        response["Content-Length"] = len(response.content)  # as CommonMiddleware would: no chunked answer
        return response

    def asker(self, request) -> SignedIn | Bearer | None:
        """Who beats: a page by its web session (checked on its row and the owner's, both read with the
        learning session), or an API client by its bearer token (checked by the API's own authentication
        where its echo does not hold); None for any other credential."""
        header = request.META.get("HTTP_AUTHORIZATION")
        if header is None:
            key = request.session.session_key or ""
            return SignedIn(key, lambda owner, row: self.asks(request, owner, row))
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.startswith(ApiToken.PREFIX):
            return None
        return Bearer(ApiToken.digest_of(secret), lambda: self.token(request))

    def csrf_passed(self, request) -> bool:
        """Django's CSRF check as the API's session authentication makes it (ninja.utils.check_csrf, which
        builds a new middleware for every request: a third of the check's cost)."""
        request.csrf_processing_done = False
        self.csrf.process_request(request)
        return self.csrf.process_view(request, _not_exempt, (), {}) is None

    def token(self, request):
        """The request's API token as the API's authentication finds it, or None (another credential)."""
        return getattr(request, "api_token", None) if self.authenticated(request) else None

    def asks(self, request, owner, row: tuple | None) -> bool:
        """Whether the request's web session is signed in as the learning session's `owner`. The web session is
        its `row` and its user the owner's row, as the beat read them (people.sessions.read_with,
        people.backends.known): neither is read again, and Django checks them as on any request."""
        with known(owner), read_with(request.session.session_key, row):
            return self.authenticated(request) and request.user.pk == owner.pk

    def authenticated(self, request) -> bool:
        """The API's own authentication methods, in their order, on what the skipped middleware would set."""
        for method in AUTH:
            try:
                if method(request):
                    return True
            except HttpError:  # a web session without its CSRF token
                return False
        return False


class Verifications:
    """A public verification by number or token, through only PUBLIC_MIDDLEWARE to the API's own view."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.answer = reduce(
            lambda inner, name: import_string(name)(inner), reversed(PUBLIC_MIDDLEWARE), _view
        )

    def __call__(self, request):
        match = _public_verification(request)
        if match is None:
            return self.get_response(request)
        request.resolver_match = match
        return self.answer(request)


def _public_verification(request):
    """The route of a public verification, or None."""
    if request.method != "GET" or not request.path_info.startswith(VERIFY):
        return None
    try:
        match = _api_routes().resolve(request.path_info[1:])
    except Resolver404:
        return None
    return match if match.url_name in VERIFY_OPERATIONS else None


def _not_exempt():
    """The view a CSRF check is asked about: one not marked csrf_exempt, as the beat's operation is not."""


def _view(request):
    match = request.resolver_match
    return match.func(request, *match.args, **match.kwargs)


@cache
def _api_routes() -> URLResolver:
    """The API's routes that a path under /api/v1/verify can match, in their order (the site's and the API's
    others are many more to try in turn): those whose route starts with it or with a converter."""
    routes = next(
        p for p in get_resolver().url_patterns if getattr(p, "namespace", None) == api.urls_namespace
    )
    start = VERIFY.removeprefix("/").removeprefix(str(routes.pattern))
    kept = [p for p in routes.url_patterns if str(p.pattern).startswith((start, "<", "^"))]
    return URLResolver(routes.pattern, kept, app_name=routes.app_name, namespace=routes.namespace)
