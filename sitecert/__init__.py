# The Celery app, loaded with Django so that tasks and `send_task` use sitecert's configuration.
from sitecert.celery import app as celery_app

__all__ = ["celery_app"]
