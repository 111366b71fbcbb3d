"""The Celery app: the worker (`celery -A sitecert worker`) and the scheduler (`celery -A sitecert beat`).
Settings are Django's, prefixed CELERY_; each app's tasks.py is found by name."""

import logging
import os

from celery import Celery, signals

from sitecert.lib.journal import JournalFormatter, to_journal

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sitecert.settings")

app = Celery("sitecert")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.after_setup_logger.connect
@signals.after_setup_task_logger.connect
def _journal_levels(logger, **kwargs):
    """Under systemd, Celery's own lines keep their format and gain the journal's level (lib/journal.py)."""
    if to_journal():
        for handler in logger.handlers:
            handler.setFormatter(JournalFormatter(inner=handler.formatter or logging.Formatter()))
