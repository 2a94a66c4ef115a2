"""API routes, mounted at /api/."""

from django.urls import path

urlpatterns: list = []
