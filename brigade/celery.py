"""The Celery app: settings from Django (CELERY_*), tasks from every app's tasks.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brigade.settings")

app = Celery("brigade")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
