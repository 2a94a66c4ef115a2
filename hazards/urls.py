"""Pages of the hazards app, mounted at /hazards/ (namespace ``hazards``)."""

from django.urls import path  # noqa: F401

app_name = "hazards"

urlpatterns: list = []
