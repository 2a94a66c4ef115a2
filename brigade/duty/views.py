"""Pages of the brigade app: thin views over the querysets (reads) and services (writes).

Every list is scoped with ``visible_to(request.user)`` and filtered with the app's shared
FilterSet; every write goes through ``brigade.duty.services``, whose ValidationError becomes
form field errors and whose TransitionNotAllowed becomes a message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, QuerySet, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, TemplateView

from brigade.core import history
from brigade.core.columns import columns
from brigade.core.errors import TransitionNotAllowed
from brigade.core.forms import submit
from brigade.core.nav import quick_actions
from brigade.core.pageviews import go_to
from brigade.core.permissions import RoleRequiredMixin, has_role
from brigade.core.roles import DUTY, ON_ROAD, STAFF
from brigade.core.scope import scope_of
from brigade.core.spreadsheets import Column, ExcelExportMixin
from brigade.core.tags import hours
from brigade.core.views import PostOnlyMixin, ScopedFilterListView, is_htmx
from brigade.duty import services
from brigade.duty.choices import CRACKDOWN_KINDS, PatrolMode, ViolationKind
from brigade.duty.filtersets import (
    CampaignFilterSet,
    DutyPostFilterSet,
    PatrolLogFilterSet,
    RoadWorksZoneFilterSet,
    TrainingSessionFilterSet,
)
from brigade.duty.forms import (
    AttendanceForm,
    CheckInForm,
    DayForm,
    EndPatrolForm,
    PatrolDetailsForm,
    StartPatrolForm,
    TallyForm,
)
from brigade.duty.models import (
    PATROL_RECORD_FIELDS,
    Officer,
    PatrolLog,
    RoadWorksZone,
    Shift,
    TrainingSession,
    ViolationTally,
)
from brigade.duty.querysets import is_school_day

T = TypeVar("T")

# --- the officer's duty page ------------------------------------------------------------------


# How many of the officer's most used kinds head the counters, above the taxonomy's groups.
MOST_USED = 5


def _tally_groups(
    counts: dict[str, int], focus: set[str], used: dict[str, int]
) -> list[dict[str, Any]]:
    """The counters, the officer's most used kinds first: up to ``MOST_USED`` kinds they
    corrected on past patrols in a group of their own, then the crackdowns and the bad
    habits, each group most used first; ties keep the taxonomy's order."""
    order = {kind: i for i, kind in enumerate(ViolationKind.values)}
    ranked = sorted(ViolationKind, key=lambda kind: (-used.get(kind.value, 0), order[kind.value]))
    top = {kind for kind in ranked[:MOST_USED] if used.get(kind.value, 0)}
    groups: list[dict[str, Any]] = [
        {"key": "most-used", "title": _("Most used"), "rows": []},
        {"key": "crackdown", "title": _("Crackdowns"), "rows": []},
        {"key": "habits", "title": _("Bad habits"), "rows": []},
    ]
    for kind in ranked:
        group = groups[0] if kind in top else groups[1] if kind in CRACKDOWN_KINDS else groups[2]
        group["rows"].append(
            {
                "kind": kind.value,
                "label": kind.label,
                "count": counts.get(kind.value, 0),
                "focus": kind.value in focus,
            }
        )
    return [group for group in groups if group["rows"]]


def duty_context(request: HttpRequest, **forms: Any) -> dict[str, Any]:
    """Everything the duty page shows; ``forms`` replaces a form bound with errors."""
    user = request.user
    officer = scope_of(user).officer
    today = timezone.localdate()
    context: dict[str, Any] = {
        "officer": officer,
        "today": today,
        "patrol": None,
        "quick_links": quick_actions.for_scope(scope_of(user)),
    }
    if officer is None:
        return context
    patrol = (
        PatrolLog.objects.filter(officer=officer)
        .open()
        .select_related("post", "zone", "campaign")
        .first()
    )
    context["patrol"] = patrol
    if patrol is not None:
        counts = dict(patrol.tallies.values_list("kind", "count"))
        focus = set(patrol.campaign.focus_kinds()) if patrol.campaign else set()
        used = PatrolLog.objects.filter(officer=officer).kinds_used()
        context.update(
            tally_groups=_tally_groups(counts, focus, used),
            tally_total=sum(counts.values()),
            checkin_form=forms.get("checkin_form")
            or CheckInForm(user=user, initial={"post": patrol.post_id}),
            details_form=forms.get("details_form")
            or PatrolDetailsForm(initial={"weather": patrol.weather, "notes": patrol.notes}),
            end_form=forms.get("end_form") or EndPatrolForm(),
        )
    else:
        context.update(
            shifts=Shift.objects.filter(officer=officer).on_day(today).select_related("post"),
            start_form=forms.get("start_form") or StartPatrolForm(user=user, officer=officer),
            mode_choices=PatrolMode.choices,
            # the counters of a patrol started offline (brigade/static/brigade/offline.js)
            offline_kinds=ViolationKind.choices,
        )
    return context


class DutyView(RoleRequiredMixin, TemplateView):
    """My duty today: the open patrol with its tally counters, else today's shifts."""

    template_name = "brigade/duty.html"
    read_roles = ON_ROAD
    write_roles = ON_ROAD

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(duty_context(self.request))
        return context


class DutyActionView(PostOnlyMixin, RoleRequiredMixin, View):
    """Base of the duty page's POST actions on the officer's own patrol; landed on by GET
    (a reload after an inline error), they send the browser to the duty page."""

    http_method_names = ["post"]
    read_roles = ON_ROAD
    write_roles = ON_ROAD

    def get_landing_url(self) -> str:
        return reverse("brigade:duty")

    def get_officer(self) -> Officer | None:
        return scope_of(self.request.user).officer

    def get_patrol(self, pk: int) -> PatrolLog:
        # Only the officer's own patrols: a tally on someone else's patrol is a 404.
        officer = self.get_officer()
        qs = PatrolLog.objects.visible_to(self.request.user).filter(
            officer_id=officer.pk if officer else None
        )
        return get_object_or_404(qs, pk=pk)

    def render_duty(self, **forms: Any) -> HttpResponse:
        return render(self.request, "brigade/duty.html", duty_context(self.request, **forms))

    def refused(self, exc: TransitionNotAllowed) -> HttpResponse:
        messages.error(self.request, exc.message)
        return redirect("brigade:duty")

    def act(
        self,
        form: forms.BaseForm,
        service: Callable[[dict[str, Any]], T],
        success: Callable[[T], str],
        form_name: str,
    ) -> HttpResponse:
        """Form → service → the duty page: say ``success(result)`` and go back to it, answer
        a refused transition with a message, or answer the invalid form (``invalid``)."""
        try:
            done = submit(form, service)
        except TransitionNotAllowed as exc:
            return self.refused(exc)
        if done.ok:
            messages.success(self.request, success(cast(T, done.result)))
            return redirect("brigade:duty")
        return self.invalid(form, form_name)

    def invalid(self, form: forms.BaseForm, form_name: str) -> HttpResponse:
        """The duty page again, the form showing its errors."""
        return self.render_duty(**{form_name: form})


class PatrolStartView(DutyActionView):
    def post(self, request: HttpRequest) -> HttpResponse:
        officer = self.get_officer()
        if officer is None:
            messages.error(request, _("Your account is not linked to an officer profile."))
            return redirect("brigade:duty")
        self.officer = officer
        return self.act(
            StartPatrolForm(request.POST, user=request.user, officer=officer),
            lambda data: services.patrol_start(
                officer=officer,
                mode=data["mode"],
                post=data.get("post"),
                zone=data.get("zone"),
                campaign=data.get("campaign"),
                weather=data.get("weather") or "",
                shift=data.get("shift"),
            ),
            lambda patrol: _("Patrol started."),
            "start_form",
        )

    def invalid(self, form: forms.BaseForm, form_name: str) -> HttpResponse:
        # Another patrol may have been started meanwhile (a second tab): say so.
        if PatrolLog.objects.filter(officer=self.officer).open().exists():
            messages.error(
                self.request,
                _("You already have a patrol in progress. End it before starting another."),
            )
            return redirect("brigade:duty")
        return super().invalid(form, form_name)


class PatrolTallyView(DutyActionView):
    """+1 / −1 on one violation counter; htmx swaps the counter, plain POST redirects."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        patrol = self.get_patrol(pk)
        form = TallyForm(request.POST)
        if not form.is_valid():
            return HttpResponseBadRequest(_("Unknown violation type."))
        kind, delta = form.cleaned_data["kind"], form.cleaned_data["delta"]
        error = ""
        try:
            count = services.patrol_tally(patrol=patrol, kind=kind, delta=delta)
        except TransitionNotAllowed as exc:
            messages.error(request, exc.message)
            return go_to(request, "brigade:duty")
        except ValidationError as exc:
            error = " ".join(exc.messages)
            count = (
                ViolationTally.objects.filter(patrol=patrol, kind=kind)
                .values_list("count", flat=True)
                .first()
                or 0
            )
        if not is_htmx(request):
            if error:
                messages.error(request, f"{ViolationKind(kind).label}: {error}")
            return redirect(f"{reverse('brigade:duty')}#tally-{kind}")
        total = patrol.tallies.aggregate(total=Sum("count", default=0))["total"]
        return render(
            request,
            "brigade/partials/tally_response.html",
            {
                "kind": kind,
                "label": ViolationKind(kind).label,
                "count": count,
                "tally_total": total,
                "error": error,
            },
        )


class PatrolCheckInView(DutyActionView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        patrol = self.get_patrol(pk)
        return self.act(
            CheckInForm(request.POST, user=request.user),
            lambda data: services.patrol_check_in(patrol=patrol, post=data["post"]),
            lambda done: _("Checked in at %(post)s.") % {"post": done.post},
            "checkin_form",
        )


class PatrolDetailsView(DutyActionView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        patrol = self.get_patrol(pk)
        return self.act(
            PatrolDetailsForm(request.POST),
            lambda data: services.patrol_update_details(
                patrol=patrol, weather=data["weather"], notes=data["notes"]
            ),
            lambda done: _("Weather and notes saved."),
            "details_form",
        )


def _ended(patrol: PatrolLog) -> str:
    total = patrol.tallies.aggregate(total=Sum("count", default=0))["total"]
    return _("Patrol ended: %(duration)s, %(total)s violations corrected.") % {
        "duration": hours(patrol.duration_hours()),
        "total": total,
    }


class PatrolEndView(DutyActionView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        patrol = self.get_patrol(pk)
        return self.act(
            EndPatrolForm(request.POST, started_at=patrol.started_at),
            lambda data: services.patrol_end(patrol=patrol, ended_at=data.get("ended_at")),
            _ended,
            "end_form",
        )


# --- patrols ------------------------------------------------------------------------------


class PatrolListView(ExcelExportMixin, ScopedFilterListView):
    """My patrols (officer) / the patrols of the units in scope (commander)."""

    filterset_class = PatrolLogFilterSet
    read_roles = DUTY
    use_for_list = True
    # Aggregating drops Meta.ordering: order explicitly, newest first.
    ordering = ("-started_at", "-pk")
    export_filename = "patrols"
    export_columns = columns(
        PatrolLog,
        "officer.name",
        "unit.name",
        "mode",
        Column(gettext_lazy("Started"), "started_at", width=18),
        Column(gettext_lazy("Ended"), "ended_at", width=18),
        ("post.name", 20),
        ("zone.road", 20),
        ("campaign.name", 20),
        "weather",
        Column(gettext_lazy("Violations corrected"), "violations_total"),
        ("notes", 30),
    )

    def is_commander_view(self) -> bool:
        return scope_of(self.request.user).is_commander

    def get_filter_fields(self) -> list[str]:
        if self.is_commander_view():
            self.filter_fields = ("unit", "officer", "date_from", "date_to", "mode", "campaign")
        else:
            self.filter_fields = ("date_from", "date_to", "mode")
        return super().get_filter_fields()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        self.page_title = _("Patrols") if self.is_commander_view() else _("My patrols")
        context = super().get_context_data(**kwargs)
        context["commander_view"] = self.is_commander_view()
        return context


def patrol_history(patrol: PatrolLog) -> list[dict[str, Any]]:
    """Who changed what and when: the patrol's own history and its tallies', newest first.

    A fixed number of queries: both histories, then the names of posts, zones and
    campaigns that ever appeared in them.
    """
    tally_records = list(
        ViolationTally.history.filter(patrol_id=patrol.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    entries = history.history_entries(
        patrol, PATROL_RECORD_FIELDS, created=_("Started"), show_initial=True
    )
    last_count: dict[int, int] = {}
    for record in tally_records:
        old = last_count.get(record.id)
        last_count[record.id] = record.count
        if old is None and record.count == 0:
            continue  # the counter's creation, before its first tap
        if old == record.count:
            continue
        label = (
            ViolationKind(record.kind).label if record.kind in ViolationKind.values else record.kind
        )
        entries.append(
            history.entry(
                record.history_date,
                record.history_user,
                _("Tally"),
                [
                    history.change(
                        label, history.EMPTY if old is None else str(old), str(record.count)
                    )
                ],
            )
        )
    return history.newest_first(entries)


class PatrolDetailView(RoleRequiredMixin, DetailView):
    model = PatrolLog
    read_roles = DUTY

    def get_queryset(self) -> QuerySet[PatrolLog]:
        return PatrolLog.objects.visible_to(self.request.user).for_list()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        patrol = self.object
        tallies = [t for t in patrol.tallies.all() if t.count]
        order = {kind: i for i, kind in enumerate(ViolationKind.values)}
        tallies.sort(key=lambda t: order.get(t.kind, len(order)))
        context.update(
            tallies=tallies,
            history=patrol_history(patrol),
            is_mine=patrol.officer_id == scope_of(self.request.user).officer_id,
        )
        return context


# --- posts and coverage ---------------------------------------------------------------------


class PostListView(ScopedFilterListView):
    """Posts with their schedule, and for one day: planned, staffed, who is on shift."""

    filterset_class = DutyPostFilterSet
    filter_fields = ("unit", "kind", "name")
    page_title = gettext_lazy("Posts and coverage")
    select_related = ("unit",)

    def get_day(self) -> dt.date:
        form = DayForm(self.request.GET)
        if form.is_valid() and form.cleaned_data.get("date"):
            return form.cleaned_data["date"]
        if "date" in form.errors:
            messages.warning(self.request, " ".join(str(error) for error in form.errors["date"]))
        return timezone.localdate()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        day = self.get_day()
        posts = self.object_list
        # The summary is the queryset's own definition, the one the KPI counts too.
        coverage = posts.coverage(day)
        planned_ids = set(posts.planned_on(day).values_list("pk", flat=True))
        day_shifts = Shift.objects.on_day(day).select_related("officer").order_by("starts_at")
        kwargs["object_list"] = posts.with_staffing(day).prefetch_related(
            Prefetch("shifts", queryset=day_shifts, to_attr="day_shifts")
        )
        context = super().get_context_data(**kwargs)
        context.update(
            day=day,
            today=timezone.localdate(),
            previous_day=day - dt.timedelta(days=1),
            next_day=day + dt.timedelta(days=1),
            day_form=DayForm(initial={"date": day}),
            school_day=is_school_day(day),
            coverage=coverage,
            coverage_percent=None if coverage["rate"] is None else round(coverage["rate"] * 100),
            planned_ids=planned_ids,
            # The filter form keeps the chosen day.
            extra_hidden=[("date", day.isoformat())] if self.request.GET.get("date") else [],
        )
        return context


# --- zones, campaigns -----------------------------------------------------------------------


class ZoneListView(ScopedFilterListView):
    filterset_class = RoadWorksZoneFilterSet
    filter_fields = ("unit", "road")
    page_title = gettext_lazy("Road-works zones")
    show_today = True
    select_related = ("unit",)
    ordering = ("-starts_on", "name", "pk")

    def get_queryset(self) -> QuerySet[RoadWorksZone]:
        return super().get_queryset().annotate(patrol_count=Count("patrols"))


class CampaignListView(ScopedFilterListView):
    filterset_class = CampaignFilterSet
    filter_fields = ("active_on",)
    page_title = gettext_lazy("Campaigns")
    show_today = True


# --- training -------------------------------------------------------------------------------


class TrainingListView(ScopedFilterListView):
    filterset_class = TrainingSessionFilterSet
    filter_fields = ("unit", "kind", "date_from", "date_to")
    read_roles = DUTY
    page_title = gettext_lazy("Training sessions")
    select_related = ("unit",)
    ordering = ("-held_on", "title", "pk")

    def get_queryset(self) -> QuerySet[TrainingSession]:
        return super().get_queryset().with_attendance_counts()


class TrainingDetailView(RoleRequiredMixin, DetailView):
    """A session's attendance list and results; commanders record attendance here."""

    model = TrainingSession
    read_roles = DUTY
    write_roles = STAFF

    def get_queryset(self) -> QuerySet[TrainingSession]:
        return TrainingSession.objects.visible_to(self.request.user).select_related("unit")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        session = self.object
        can_record = has_role(self.request.user, self.write_roles)
        context.update(
            attendances=session.attendances.select_related("officer", "officer__unit").order_by(
                "officer__badge_no"
            ),
            summary=session.attendances.summary(),
            can_record=can_record,
        )
        if can_record:
            context.setdefault("form", AttendanceForm(user=self.request.user))
        return context

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.object = self.get_object()
        form = AttendanceForm(request.POST, user=request.user)
        done = submit(
            form,
            lambda data: services.attendance_record(
                session=self.object,
                officer=data["officer"],
                attended=data["attended"],
                result=data["result"],
                score=data["score"],
            ),
        )
        if done.ok:
            officer = form.cleaned_data["officer"]
            messages.success(request, _("Recorded for %(officer)s.") % {"officer": officer})
            return redirect("brigade:trainingsession_detail", pk=self.object.pk)
        return self.render_to_response(self.get_context_data(form=form))
