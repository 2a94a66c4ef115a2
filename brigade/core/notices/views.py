"""The notices pages of every role: the list of the person's notices (unread first, then
newest), each opened through an address that marks it read and goes to its record; "mark
all read"; muting a record or a kind of work; the channels and mutes page. A person only
ever reaches their own notices and mutes: another's answers 404."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from brigade.core.notices import inbox
from brigade.core.notices.filtersets import NoticeFilterSet
from brigade.core.notices.forms import MuteForm, PreferenceForm
from brigade.core.notices.models import Notice, NoticeMute
from brigade.core.permissions import RoleRequiredMixin
from brigade.core.roles import EVERYONE
from brigade.core.typing import User
from brigade.core.views import PostOnlyMixin, ScopedFilterListView

PREFERENCE_FIELDS = ("by_email", "by_webhook", "reminders", "digest")


def _own(request: HttpRequest) -> User:
    """The signed-in person (the views' role check has turned the anonymous away)."""
    return cast("User", request.user)


def _own_notice(request: HttpRequest, pk: int) -> Notice:
    return get_object_or_404(Notice.objects.filter(user=_own(request)), pk=pk)


class NoticeListView(ScopedFilterListView):
    """The person's notices, unread first, then the newest."""

    filterset_class = NoticeFilterSet
    template_name = "notices/notice_list.html"
    read_roles = EVERYONE
    page_title = gettext_lazy("Notices")
    filter_fields = ("unread", "kind")

    def get_queryset(self) -> Any:
        return inbox.notices_of(self.request.user)


class NoticeOpenView(RoleRequiredMixin, View):
    """Open a notice: it is marked read, and the browser goes to its record (a notice about
    no record, or with an address off this site, stays on the list)."""

    read_roles = EVERYONE

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        notice = inbox.mark_read(_own_notice(request, pk))
        target = notice.url
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return redirect(target)
        return redirect("notice_list")


class NoticeActionView(PostOnlyMixin, RoleRequiredMixin, View):
    """A POST of the notices list; landed on by GET, the list."""

    http_method_names = ["post"]
    read_roles = EVERYONE
    write_roles = EVERYONE
    landing = "notice_list"

    def get_landing_url(self) -> str:
        return reverse(self.landing)


class NoticeReadAllView(NoticeActionView):
    def post(self, request: HttpRequest) -> HttpResponse:
        marked = inbox.mark_all_read(request.user)
        if marked:
            messages.success(request, _("All notices are marked read."))
        return redirect("notice_list")


class NoticeMuteView(NoticeActionView):
    """Mute the record a notice is about, or its kind of work (``what``)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        notice = _own_notice(request, pk)
        form = MuteForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose what to mute."))
            return redirect("notice_list")
        if form.cleaned_data["what"] == MuteForm.ITEM:
            muted = inbox.mute_item(notice)
            done = _("You will get no more notices about this record.")
        else:
            muted = inbox.mute_kind(notice)
            done = _("You will get no more notices of this kind of work.")
        if muted is None:
            messages.error(request, _("This notice cannot be muted that way."))
        else:
            messages.success(request, done)
        return redirect("notice_list")


class NoticeSettingsView(RoleRequiredMixin, View):
    """The person's channels and kinds of notice, and what they have muted."""

    read_roles = EVERYONE
    write_roles = EVERYONE
    template_name = "notices/notice_settings.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        preference = inbox.preference_of(request.user)
        initial = {name: getattr(preference, name) for name in PREFERENCE_FIELDS}
        return self.page(request, PreferenceForm(initial=initial))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PreferenceForm(request.POST)
        if not form.is_valid():
            return self.page(request, form, status=400)
        inbox.save_preference(
            request.user, **{name: form.cleaned_data[name] for name in PREFERENCE_FIELDS}
        )
        messages.success(request, _("Your notice settings are saved."))
        return redirect("notice_settings")

    def page(self, request: HttpRequest, form: PreferenceForm, status: int = 200) -> HttpResponse:
        context = {
            "form": form,
            "mutes": inbox.mutes_of(request.user),
            "page_title": _("Notice settings"),
        }
        return render(request, self.template_name, context, status=status)


class NoticeUnmuteView(PostOnlyMixin, RoleRequiredMixin, View):
    """Lift one of the person's mutes; landed on by GET, the settings page."""

    http_method_names = ["post"]
    read_roles = EVERYONE
    write_roles = EVERYONE
    landing = "notice_settings"

    def get_landing_url(self) -> str:
        return reverse(self.landing)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        mute = get_object_or_404(NoticeMute.objects.filter(user=_own(request)), pk=pk)
        inbox.unmute(mute)
        messages.success(request, _("Unmuted: you will be told again."))
        return redirect("notice_settings")
