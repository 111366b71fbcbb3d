"""The worker's accounts job: expired sign-in sessions leave the database (Django keeps them until asked)."""

from importlib import import_module

from celery import shared_task
from django.conf import settings


@shared_task(name="sitecert.people.clear_sessions_nightly")
def clear_sessions_nightly() -> None:
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()  # Django's `clearsessions`
