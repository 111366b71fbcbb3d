"""A signed-in page's (or an API client's) heartbeat echoes the server's answer to its last one, so that the
next beat is decided without reading the session first: one statement instead of two on the rush's most
frequent request.

The echo is the learning session as the last accepted beat wrote it, the day it was written on and a mark of
the owner's password hash (people.guards.password_mark), as JSON in base64, and the server's signature of that
and of the page's web session key or the client's token digest (Django's `Signer`: an HMAC keyed with
SECRET_KEY). Neither is in it, so the echo holds only for the browser or client it was given to and shows
nothing a reader could use. The server believes it only as far as the beat's write can check it: the write is
guarded on the session's sequence, state and last beat as the echo has them, and on the asker still being who
it was (people.guards: the web session signed in as the owner with that password, or the token live and the
owner's); where anything changed, the beat is decided on the database's word, as a beat without an echo is.
"""

import json
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from django.conf import settings
from django.core.signing import Signer, b64_decode, b64_encode
from django.utils.crypto import constant_time_compare

MAX_LENGTH = 1000  # an echo is about 280 characters
VERSION = 1


@dataclass(frozen=True)
class Sealed:
    """What an echo is bound to: the learning session's token, the day, the page's web session key (signed,
    not shown) and the owner's password mark."""

    token: str
    day: str
    key: str
    mark: str


def sealed(values: tuple, seal: Sealed) -> str:
    """The echo of a session's `values` (numbers, text, datetimes or None)."""
    plain = [VERSION, seal.token, seal.day, seal.mark, *(_plain(value) for value in values)]
    text = b64_encode(json.dumps(plain, separators=(",", ":")).encode()).decode()  # nothing to escape in JSON
    return f"{text}:{_signature(text, seal.key)}"


def opened(text: str, *, token: str, day: str, key: str) -> tuple[list, Sealed] | None:
    """The values and binding of an echo given to web session `key` for session `token` on `day`; None for any
    other, a forged or altered one, or one of an older shape."""
    if not key or len(text) > MAX_LENGTH:
        return None
    value, _, signature = text.rpartition(":")
    if not constant_time_compare(signature, _signature(value, key)):
        return None
    plain = json.loads(b64_decode(value.encode()))
    if not isinstance(plain, list) or plain[:3] != [VERSION, token, day]:
        return None
    return [_value(item) for item in plain[4:]], Sealed(token, day, key, plain[3])


def _signature(text: str, key: str) -> str:
    return _signer(settings.SECRET_KEY).signature(f"{text}\x00{key}")


@lru_cache(maxsize=2)
def _signer(secret: str) -> Signer:  # made once per SECRET_KEY: making one costs as much as signing
    return Signer(key=secret, salt="sitecert.learning.echo")


def _plain(value):
    return {"at": value.isoformat()} if isinstance(value, datetime) else value


def _value(plain):
    return datetime.fromisoformat(plain["at"]) if isinstance(plain, dict) else plain
