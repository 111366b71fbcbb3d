"""System checks of the deployment that the settings alone cannot refuse.

`sitecert check` runs the first on every call; `sitecert check --deploy` adds what production needs and
development does without (docs/deployment.md, "Check the configuration"): each is an error, so that the
command exits non-zero and an install or upgrade script stops there."""

import inspect
import ipaddress
from urllib.parse import urlsplit

import redis
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection
from django.http.request import validate_host
from django.utils.module_loading import import_string

from sitecert.throttle import parse_rate

# Backends that keep messages on this machine: fine for development and tests, silent in production.
DEVELOPMENT_SMS = {"sitecert.people.sms.ConsoleBackend", "sitecert.people.sms.MemoryBackend"}
DEVELOPMENT_EMAIL = {
    f"django.core.mail.backends.{name}.EmailBackend" for name in ("console", "locmem", "dummy", "filebased")
}


@checks.register(checks.Tags.caches, deploy=False)
def shared_cache(app_configs, **kwargs):
    """Without a shared cache the rate limits count per process (settings refuse production without
    REDIS_URL unless SINGLE_PROCESS=1): say so on every `check`, development included."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith("LocMemCache"):
        return [
            checks.Warning(
                "Rate limits, login slow-downs and reset tickets are counted in this process's memory.",
                hint="Serve sitecert from one process, or set REDIS_URL (docs/deployment.md, 'Rate limits').",
                id="sitecert.W001",
            )
        ]
    return []


def _is_local(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@checks.register(checks.Tags.security, deploy=True)
def public_url(app_configs, **kwargs):
    """PUBLIC_URL is signed into every QR code and credential (its did:web DID is the issuer): the
    development default would be printed on every certificate."""
    url = urlsplit(settings.PUBLIC_URL)
    host = url.hostname or ""
    if url.scheme != "https" or not host or _is_local(host):
        return [
            checks.Error(
                f"PUBLIC_URL is {settings.PUBLIC_URL!r}: it is signed into every QR code and credential.",
                hint="Set PUBLIC_URL to the public https address, e.g. https://sitecert.example.cn"
                " (docs/deployment.md, 'Configure').",
                id="sitecert.E001",
            )
        ]
    if not validate_host(host, settings.ALLOWED_HOSTS):
        return [
            checks.Error(
                f"PUBLIC_URL's host {host!r} is not in ALLOWED_HOSTS: scanned QR codes would answer 400.",
                hint="Add it to ALLOWED_HOSTS.",
                id="sitecert.E002",
            )
        ]
    return []


@checks.register(checks.Tags.compatibility, deploy=True)
def message_backends(app_configs, **kwargs):
    """Codes, notices and reminders must leave the machine: the console backends only print them."""
    errors = []
    if settings.SMS_BACKEND in DEVELOPMENT_SMS:
        errors.append(
            checks.Error(
                f"SMS_BACKEND is {settings.SMS_BACKEND}: codes and notices are only printed in the log.",
                hint="Name your SMS gateway's backend class (docs/deployment.md, 'SMS').",
                id="sitecert.E003",
            )
        )
    else:
        errors += _sms_gateway(settings.SMS_BACKEND)
    if settings.EMAIL_BACKEND in DEVELOPMENT_EMAIL:
        errors.append(
            checks.Error(
                f"EMAIL_BACKEND is {settings.EMAIL_BACKEND}: reminders by e-mail never leave the machine.",
                hint="Use django.core.mail.backends.smtp.EmailBackend with EMAIL_HOST and the rest"
                " (docs/deployment.md, 'E-mail').",
                id="sitecert.E005",
            )
        )
    return errors


def _sms_gateway(path: str) -> list:
    """The gateway's class imports, and its `send` takes what the outbox gives it: `send(mobile, text,
    key=...)`, the key being the message's own id (a gateway that drops a key it has seen sends nothing twice)."""
    try:
        backend = import_string(path)
    except ImportError as exc:
        return [
            checks.Error(
                f"SMS_BACKEND {path!r} cannot be imported: {exc}.",
                hint="Install the gateway's package where sitecert runs, or correct the dotted path.",
                id="sitecert.E004",
            )
        ]
    try:
        inspect.signature(backend.send).bind(None, "13800000000", "text", key="key")
    except (AttributeError, TypeError, ValueError) as exc:
        return [
            checks.Error(
                f"SMS_BACKEND {path!r} has no send(mobile, text, key=...) method ({exc}): every SMS would fail.",
                hint="def send(self, mobile: str, text: str, key: str = \"\") -> None (docs/deployment.md, 'SMS').",
                id="sitecert.E010",
            )
        ]
    return []


@checks.register(checks.Tags.database, deploy=True)
def reachable(app_configs, **kwargs):
    """The database and the shared cache answer, with the credentials given: a placeholder host or a wrong
    Redis password would otherwise show only at `migrate`, or (Redis) never, as rate limits silently off."""
    errors = []
    try:
        connection.ensure_connection()
    except DatabaseError as exc:
        errors.append(
            checks.Error(
                f"DATABASE_URL: cannot connect ({exc}).",
                hint="Check host, port, name, user and password.",
                id="sitecert.E007",
            )
        )
    cache = settings.CACHES["default"]
    if cache["BACKEND"].endswith("RedisCache"):
        try:
            redis.Redis.from_url(cache["LOCATION"], socket_connect_timeout=2, socket_timeout=2).ping()
        except redis.RedisError as exc:
            errors.append(
                checks.Error(
                    f"REDIS_URL: cannot use it ({exc}).",
                    hint="Check host, port and password (percent-encoded in the URL).",
                    id="sitecert.E008",
                )
            )
    return errors


@checks.register(checks.Tags.compatibility)
def rates(app_configs, **kwargs):
    """Every rate setting reads as requests per window: a malformed one would otherwise fail each request
    it governs with a 500."""
    errors = []
    for name in sorted(
        n for n in dir(settings) if n.endswith("_RATE") and isinstance(getattr(settings, n), str)
    ):
        try:
            parse_rate(getattr(settings, name), name)
        except ImproperlyConfigured as exc:
            errors.append(checks.Error(str(exc), id="sitecert.E009"))
    return errors


@checks.register(checks.Tags.security, deploy=True)
def client_address(app_configs, **kwargs):
    """Behind a proxy every connection comes from the proxy: counting REMOTE_ADDR would give every client
    one shared rate limit, and one stranger's failed logins would pause everyone's (django-axes)."""
    if settings.SECURE_PROXY_SSL_HEADER and settings.RATELIMIT_IP_META_KEY == "REMOTE_ADDR":
        return [
            checks.Error(
                "BEHIND_TLS_PROXY is on but RATELIMIT_IP_META_KEY is REMOTE_ADDR, the proxy's own address:"
                " every client would share one rate limit and one login pause.",
                hint="Have the proxy set X-Real-IP to the client's address (deploy/nginx/sitecert.conf) and set"
                " RATELIMIT_IP_META_KEY=HTTP_X_REAL_IP.",
                id="sitecert.E006",
            )
        ]
    return []
