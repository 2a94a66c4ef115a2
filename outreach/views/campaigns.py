"""Outreach campaigns, and the form commanders use for the reference records (a campaign,
a love station)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView

from brigade.core.permissions import RoleRequiredMixin, has_role
from brigade.core.roles import STAFF
from outreach import services
from outreach.filtersets import OutreachCampaignFilterSet
from outreach.forms import CampaignForm
from outreach.models import OutreachCampaign, PublicityEvent
from outreach.views.common import RECENT, OutreachListView, RecordFormView, history_entries

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as Label


class ReferenceFormView(RecordFormView):
    """Create (no ``pk``) or change a campaign or a love station: commanders and admins."""

    template_name = "outreach/reference_form.html"
    read_roles = STAFF
    write_roles = STAFF
    context_name = "record"
    title_new: Label = ""
    title_edit: Label = ""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["page_title"] = self.title_edit if context["record"] else self.title_new
        return context


class CampaignListView(OutreachListView):
    """The outreach campaigns with their progress; commanders add and change them."""

    filterset_class = OutreachCampaignFilterSet
    filter_fields = ("goal_kind", "active_on")
    page_title = gettext_lazy("Outreach campaigns")
    show_today = True
    role_flags = {"can_manage": STAFF}
    select_related = ("unit",)
    ordering = ("-starts_on", "name")

    def get_queryset(self) -> QuerySet[OutreachCampaign]:
        return super().get_queryset().with_progress()


class CampaignDetailView(RoleRequiredMixin, DetailView):
    """A campaign's goal and progress, its latest events and its history."""

    model = OutreachCampaign
    context_object_name = "campaign"

    def get_queryset(self) -> QuerySet[OutreachCampaign]:
        return (
            OutreachCampaign.objects.visible_to(self.request.user)
            .select_related("unit")
            .with_progress()
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            today=timezone.localdate(),
            events=PublicityEvent.objects.visible_to(user)
            .filter(campaign=self.object)
            .select_related("unit")
            .order_by("-held_on", "-pk")[:RECENT],
            history=history_entries(self.object),
            can_manage=has_role(user, STAFF)
            and OutreachCampaign.objects.editable_by(user).filter(pk=self.object.pk).exists(),
        )
        return context


class CampaignFormView(ReferenceFormView):
    form_class = CampaignForm
    record_kwarg = "campaign"
    title_new = gettext_lazy("New outreach campaign")
    title_edit = gettext_lazy("Change the outreach campaign")
    saved = gettext_lazy("Outreach campaign saved.")
    service = staticmethod(services.campaign_save)

    def editable(self) -> QuerySet[OutreachCampaign]:
        return OutreachCampaign.objects.editable_by(self.request.user)
