"""Pages of the petitions app, mounted at /petitions/ (namespace ``petitions``)."""

from django.urls import path  # noqa: F401

app_name = "petitions"

urlpatterns: list = []
