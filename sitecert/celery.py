"""The Celery app: the worker (`celery -A sitecert worker`) and the scheduler (`celery -A sitecert beat`).
Settings are Django's, prefixed CELERY_; each app's tasks.py is found by name."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sitecert.settings")

app = Celery("sitecert")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
