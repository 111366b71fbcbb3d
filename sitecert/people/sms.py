"""Sending SMS through a pluggable backend (settings.SMS_BACKEND), like Django's e-mail backends.

A real gateway is a class with `send(mobile, text)`; docs/deployment.md shows how to plug one in.
"""

import sys

from django.conf import settings
from django.utils.module_loading import import_string

outbox: list[tuple[str, str]] = []  # what MemoryBackend sent, for tests to read


class ConsoleBackend:
    """Development: the message is printed where the server logs."""

    def send(self, mobile: str, text: str) -> None:
        print(f"[SMS → {mobile}] {text}", file=sys.stdout, flush=True)


class MemoryBackend:
    """Tests: the message is kept in `outbox`."""

    def send(self, mobile: str, text: str) -> None:
        outbox.append((mobile, text))


def send_sms(mobile: str, text: str) -> None:
    import_string(settings.SMS_BACKEND)().send(mobile, text)
