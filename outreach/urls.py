"""Pages of the outreach app, mounted at /outreach/ (namespace ``outreach``)."""

from django.urls import path  # noqa: F401

app_name = "outreach"

urlpatterns: list = []
