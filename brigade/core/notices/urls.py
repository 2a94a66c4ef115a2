"""The notices pages, at /notices/ (core pages: plain names at the root)."""

from django.urls import path

from brigade.core.notices import views

urlpatterns = [
    path("", views.NoticeListView.as_view(), name="notice_list"),
    path("<int:pk>/open/", views.NoticeOpenView.as_view(), name="notice_open"),
    path("<int:pk>/mute/", views.NoticeMuteView.as_view(), name="notice_mute"),
    path("read-all/", views.NoticeReadAllView.as_view(), name="notice_read_all"),
    path("settings/", views.NoticeSettingsView.as_view(), name="notice_settings"),
    path("mutes/<int:pk>/delete/", views.NoticeUnmuteView.as_view(), name="noticemute_delete"),
]
