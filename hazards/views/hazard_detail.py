"""One hazard: its page, its history and links, the actions on it, its correction and
its photos."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.db.models import Model, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView

from brigade.core import history
from brigade.core.errors import TransitionNotAllowed
from brigade.core.forms import BootstrapForm, submit
from brigade.core.pageviews import RecordActionView
from brigade.core.permissions import RoleRequiredMixin, actions_for
from brigade.core.roles import DUTY, STAFF
from brigade.core.uploads import file_response
from hazards import services
from hazards.choices import PhotoStage
from hazards.effect import effect
from hazards.forms import (
    AssignForm,
    DuplicateForm,
    HazardEditForm,
    PhotosForm,
    ReasonForm,
    RectifyForm,
    VerifyForm,
)
from hazards.models import FacilityWork, Hazard, HazardCheck, HazardPhoto
from hazards.transitions import HAZARD_TRANSITIONS
from hazards.views.common import RequestUser

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

# --- one hazard ------------------------------------------------------------------------------

# Fields of a hazard whose changes the history shows, in reading order.
HISTORY_FIELDS = (
    "status",
    "element",
    "severity",
    "road",
    "location",
    "description",
    "responsible_party",
    "deadline",
    "measures",
    "rejection_reason",
    "duplicate_of",
)


def hazard_history(
    hazard: Hazard,
    photos: Sequence[HazardPhoto] = (),
    checks: Sequence[HazardCheck] = (),
) -> list[dict[str, Any]]:
    """Who changed what and when, newest first: the hazard's own history, its photos and
    its checks (already loaded with the hazard)."""
    return history.newest_first(
        history.history_entries(hazard, HISTORY_FIELDS, created=_("Reported")),
        (
            history.entry(
                photo.created_at,
                photo.uploaded_by,
                _("Photo"),
                [history.change(_("Photos"), history.EMPTY, photo.get_stage_display())],
            )
            for photo in photos
        ),
        (
            history.entry(
                check.checked_at,
                check.checked_by,
                _("Check"),
                [
                    history.change(
                        check.get_result_display(), history.EMPTY, check.reason or history.EMPTY
                    )
                ],
            )
            for check in checks
        ),
    )


def hazard_actions(user: RequestUser, hazard: Hazard) -> dict[str, bool]:
    """Which action forms the page offers this user on this hazard now: what the hazard's
    transition table allows from its state to the user's roles (the checks also to the
    second approver), and never a check of one's own rectification."""
    actions = actions_for(HAZARD_TRANSITIONS, hazard, user)
    if hazard.rectified_by_id is not None and hazard.rectified_by_id == user.pk:
        actions.update(dict.fromkeys(HAZARD_TRANSITIONS.checks(), False))
    return actions


class HazardDetailView(RoleRequiredMixin, DetailView):
    model = Hazard
    template_name = "hazards/hazard_detail.html"

    def get_queryset(self) -> QuerySet[Hazard]:
        return (
            Hazard.objects.visible_to(self.request.user)
            .select_related(
                "unit",
                "reported_by",
                "gazetteer_place",
                "patrol",
                "patrol__officer",
                "duplicate_of",
                "accident",
                "ticket",
                "rectified_by",
                "verified_by",
            )
            .prefetch_related(
                Prefetch(
                    "photos",
                    queryset=HazardPhoto.objects.select_related("uploaded_by").order_by(
                        "stage", "pk"
                    ),
                ),
                Prefetch(
                    "checks",
                    queryset=HazardCheck.objects.select_related("checked_by").order_by(
                        "-checked_at", "-pk"
                    ),
                ),
                Prefetch("duplicates", queryset=Hazard.objects.order_by("pk")),
                Prefetch("facility_works", queryset=FacilityWork.objects.order_by("-done_on")),
            )
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        hazard = self.object
        photos = list(hazard.photos.all())
        forms = kwargs.get("forms", {})
        context.update(
            page_title=_("Hazard #%(pk)s") % {"pk": hazard.pk},
            before_photos=[p for p in photos if p.stage == PhotoStage.BEFORE],
            after_photos=[p for p in photos if p.stage == PhotoStage.AFTER],
            history=hazard_history(hazard, photos, list(hazard.checks.all())),
            actions=hazard_actions(self.request.user, hazard),
            assign_form=forms.get("assign")
            or AssignForm(
                initial={
                    "responsible_party": hazard.responsible_party,
                    "deadline": hazard.deadline or services.default_deadline(hazard.severity),
                }
            ),
            rectify_form=forms.get("rectify") or RectifyForm(initial={"measures": hazard.measures}),
            verify_form=forms.get("verify") or VerifyForm(),
            fail_form=forms.get("fail") or ReasonForm(auto_id="fail_%s"),
            reject_form=forms.get("reject") or ReasonForm(auto_id="reject_%s"),
            duplicate_form=forms.get("duplicate") or DuplicateForm(hazard=hazard),
            photos_form=forms.get("photos") or PhotosForm(),
            overdue=hazard.is_overdue(),
            source_links=source_links(hazard),
            effect=effect(hazard),
        )
        return context


def source_links(hazard: Hazard) -> list[dict[str, str]]:
    """The records the hazard was raised from (patrol, accident, ticket), as links."""
    links = []
    if hazard.patrol_id:
        links.append(
            {
                "key": "patrol",
                "label": _("Patrol"),
                "text": str(hazard.patrol),
                "url": reverse("brigade:patrollog_detail", args=[hazard.patrol_id]),
            }
        )
    for name, describe in LINK_DESCRIBERS.items():
        if getattr(hazard, f"{name}_id", None):
            links.append(describe(hazard))
    return links


def _link(key: str, label: StrOrPromise, record: Model | None, url_name: str) -> dict[str, str]:
    """A link to a linked record (only called when the hazard has one)."""
    assert record is not None
    try:
        url = reverse(url_name, args=[record.pk])
    except NoReverseMatch:  # the other app has no detail page for it (yet)
        url = ""
    return {"key": key, "label": str(label), "text": str(record), "url": url}


LINK_DESCRIBERS: dict[str, Callable[[Hazard], dict[str, str]]] = {
    "accident": lambda h: _link("accident", _("Accident"), h.accident, "incidents:accident_detail"),
    "ticket": lambda h: _link("ticket", _("12345 ticket"), h.ticket, "petitions:ticket_detail"),
}


def _submit_on_hazard(
    request: HttpRequest,
    hazard: Hazard,
    form: BootstrapForm,
    service: Callable[..., object],
    success_message: StrOrPromise,
) -> HttpResponse | None:
    """Form → service → errors for one hazard: back to its page with a message when the
    service ran or refused the transition; None when the form has errors to show."""
    try:
        done = submit(form, lambda data: service(hazard=hazard, **data))
    except TransitionNotAllowed as exc:
        messages.error(request, exc.message)
        return redirect("hazards:hazard_detail", pk=hazard.pk)
    if not done.ok:
        return None
    messages.success(request, str(success_message))
    return redirect("hazards:hazard_detail", pk=hazard.pk)


class HazardActionView(RecordActionView):
    """A POST action on one hazard: validate the form, call the service, back to the page.

    A subclass names its form and its service; the service is called with the hazard, the
    form's data and the user as ``by``."""

    model = Hazard
    read_roles = STAFF
    write_roles = STAFF
    form_key = ""
    form_class: type[BootstrapForm] = VerifyForm
    service: Callable[..., object]
    success_message: StrOrPromise = ""

    def form_kwargs(self, hazard: Hazard) -> dict[str, Any]:
        """What the form is made with besides the request's data and files."""
        return {}

    def act(self, hazard: Hazard, **data: object) -> object:
        return self.service(hazard=hazard, by=self.request.user, **data)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        hazard = self.get_record()
        form = self.form_class(request.POST, request.FILES, **self.form_kwargs(hazard))
        answered = _submit_on_hazard(request, hazard, form, self.act, self.success_message)
        if answered is not None:
            return answered
        view = HazardDetailView()
        view.setup(request, pk=pk)
        view.object = hazard
        view.kwargs = {"pk": pk}
        view.object = view.get_queryset().get(pk=pk)
        context = view.get_context_data(object=view.object, forms={self.form_key: form})
        context["open_form"] = self.form_key
        return render(request, "hazards/hazard_detail.html", context, status=400)


class HazardAssignView(HazardActionView):
    form_key = "assign"
    form_class = AssignForm
    service = staticmethod(services.hazard_assign)
    success_message = gettext_lazy("Hazard assigned.")


class HazardStartView(HazardActionView):
    read_roles = write_roles = DUTY
    form_key = "start"
    success_message = gettext_lazy("Rectification started.")

    def act(self, hazard: Hazard, **data: object) -> object:
        return services.hazard_start(hazard=hazard)


class HazardRectifyView(HazardActionView):
    read_roles = write_roles = DUTY
    form_key = "rectify"
    form_class = RectifyForm
    service = staticmethod(services.hazard_rectify)
    success_message = gettext_lazy("Rectification recorded: it now awaits a commander's check.")


class HazardPhotosView(HazardActionView):
    read_roles = write_roles = DUTY
    form_key = "photos"
    form_class = PhotosForm
    service = staticmethod(services.hazard_add_photos_returning)
    success_message = gettext_lazy("Photos added.")


class HazardVerifyView(HazardActionView):
    check_action = True
    form_key = "verify"
    service = staticmethod(services.hazard_verify)
    success_message = gettext_lazy("Rectification verified: the hazard is closed.")


class ReasonActionView(HazardActionView):
    """An action that asks for a reason: the page shows two, so each form's ids start with
    its key."""

    form_class = ReasonForm

    def form_kwargs(self, hazard: Hazard) -> dict[str, Any]:
        return {"auto_id": f"{self.form_key}_%s"}


class HazardFailCheckView(ReasonActionView):
    check_action = True
    form_key = "fail"
    service = staticmethod(services.hazard_fail_check)
    success_message = gettext_lazy("Check failed: the hazard is back to rectifying.")


class HazardRejectView(ReasonActionView):
    form_key = "reject"
    service = staticmethod(services.hazard_reject)
    success_message = gettext_lazy("Report rejected.")


class HazardDuplicateView(HazardActionView):
    form_key = "duplicate"
    form_class = DuplicateForm
    service = staticmethod(services.hazard_mark_duplicate)
    success_message = gettext_lazy("Marked as a duplicate.")

    def form_kwargs(self, hazard: Hazard) -> dict[str, Any]:
        return {"hazard": hazard}


class HazardEditView(RoleRequiredMixin, View):
    """Correct the report of an open hazard (commanders)."""

    read_roles = write_roles = STAFF

    def show(self, hazard: Hazard, form: HazardEditForm, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            "hazards/hazard_edit.html",
            {"form": form, "hazard": hazard, "page_title": _("Correct the report")},
            status=status,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        hazard = get_object_or_404(Hazard.objects.visible_to(request.user), pk=pk)
        initial = {name: getattr(hazard, name) for name in services.EDITABLE_FIELDS}
        return self.show(hazard, HazardEditForm(initial=initial))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        hazard = get_object_or_404(Hazard.objects.visible_to(request.user), pk=pk)
        form = HazardEditForm(request.POST)
        answered = _submit_on_hazard(
            request, hazard, form, services.hazard_update, gettext_lazy("Report corrected.")
        )
        return answered or self.show(hazard, form, status=400)


class PhotoView(RoleRequiredMixin, View):
    """A hazard photo, only for users who may see the hazard (404 otherwise)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        photo = get_object_or_404(HazardPhoto.objects.visible_to(request.user), pk=pk)
        return file_response(photo.file)
