"""Pages of the incidents app, mounted at /incidents/ (namespace ``incidents``)."""

from django.urls import path  # noqa: F401

app_name = "incidents"

urlpatterns: list = []
