"""Log lines the systemd journal files by level: a line that starts with "<N>" is read as priority N
(sd-daemon(3); journald's SyslogLevelPrefix, on by default), so `journalctl -p warning` finds sitecert's
warnings and errors. systemd sets JOURNAL_STREAM when a process's output goes to the journal; elsewhere (a
terminal, the tests, a container's log) lines are left as they are."""

import logging
import os

PRIORITIES = ((logging.CRITICAL, 2), (logging.ERROR, 3), (logging.WARNING, 4), (logging.INFO, 6))


def priority(level: int) -> int:
    """The syslog priority of a logging level: critical 2, error 3, warning 4, info 6, debug 7."""
    return next((number for floor, number in PRIORITIES if level >= floor), 7)


def to_journal() -> bool:
    return bool(os.environ.get("JOURNAL_STREAM"))


class JournalFormatter(logging.Formatter):
    """A logging formatter (or, given `inner`, another one's lines) with the journal's level prefix."""

    def __init__(self, *args, inner: logging.Formatter | None = None, journal: bool | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.inner = inner
        self.journal = to_journal() if journal is None else journal

    def format(self, record: logging.LogRecord) -> str:
        text = self.inner.format(record) if self.inner else super().format(record)
        if not self.journal:
            return text
        prefix = f"<{priority(record.levelno)}>"
        return "\n".join(prefix + line for line in text.split("\n"))  # a traceback's lines keep the level
