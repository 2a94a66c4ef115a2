"""Pages of the petitions app: the clerk's queue (the clerk's landing page) with its side
panel, a ticket's page with its actions and history, the import with its preview,
consultations and proposals. Views read input and call the services; nothing more."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views import View

from brigade.core import history
from brigade.core.errors import TransitionNotAllowed
from brigade.core.forms import apply_service_errors
from brigade.core.idempotency import not_kept
from brigade.core.imports import drop_stash, open_stash, stash_upload
from brigade.core.permissions import RoleRequiredMixin, has_role
from brigade.core.roles import DESK, EVERYONE, STAFF
from brigade.core.scope import scope_of
from brigade.core.spreadsheets import Column, ExcelExportMixin
from brigade.core.views import ScopedFilterListView, is_htmx
from petitions import services
from petitions.choices import OPEN_STATUSES, TicketStatus
from petitions.filtersets import ConsultationFilterSet, ProposalFilterSet, TicketFilterSet
from petitions.forms import (
    AssignForm,
    CallbackForm,
    ConsultationForm,
    DecideForm,
    ExtendForm,
    ImportForm,
    ProposalAnswerForm,
    ProposalForm,
    ReasonForm,
    ReopenForm,
    ReplyForm,
    TicketForm,
)
from petitions.masking import mask_name, mask_phone
from petitions.models import Consultation, Proposal, Ticket, TicketExtension
from petitions.transitions import TICKET_TRANSITIONS

QUEUE_PAGE = 50


# --- the clerk's queue ------------------------------------------------------------------


# The queue's one button per row: the first of these steps that the ticket's transition
# table allows now and that moves the ticket on (from "handling", "assign" would only
# hand it to someone else: the next step is "reply").
NEXT_STEPS = ("sign", "assign", "reply", "close", "callback")


def next_action(ticket: Ticket) -> str | None:
    """The one button a queue row offers for the ticket's state."""
    for name in NEXT_STEPS:
        if (
            TICKET_TRANSITIONS.can(ticket, name)
            and TICKET_TRANSITIONS[name].target != ticket.status
        ):
            return name
    return None


ACTION_LABELS = {
    "sign": gettext_lazy("Sign"),
    "assign": pgettext_lazy("ticket", "Assign"),
    "reply": gettext_lazy("Reply"),
    "close": pgettext_lazy("ticket", "Close"),
    "callback": gettext_lazy("Call back"),
}


class TicketListView(ExcelExportMixin, ScopedFilterListView):
    """The clerk's queue: open tickets by urgency (overdue, due today, due soon, the rest),
    counts per state, filters and search; other states listed newest first. A fixed
    number of queries whatever the page size; keyset pages, no OFFSET, no row counts."""

    model = Ticket
    filterset_class = TicketFilterSet
    template_name = "petitions/ticket_list.html"
    paginate_by = None  # type: ignore[assignment]  # keyset pages, see get_context_data
    read_roles = DESK
    page_title = gettext_lazy("12345 tickets")
    filter_fields = (
        "q",
        "status",
        "urgency",
        "category",
        "unit",
        "handler",
        "channel",
        "date_from",
        "date_to",
    )
    export_filename = "tickets"
    export_columns = (
        Column(gettext_lazy("Platform number"), "number"),
        Column(gettext_lazy("Received at"), "received_at", width=18),
        Column(gettext_lazy("Channel"), "get_channel_display"),
        Column(gettext_lazy("Category"), "category.name"),
        Column(gettext_lazy("Unit"), "unit.name"),
        Column(gettext_lazy("Handler"), "handler.name"),
        Column(gettext_lazy("Status"), "get_status_display"),
        Column(gettext_lazy("Round"), "round", width=8),
        # masked in every export, whoever exports
        Column(gettext_lazy("Citizen"), lambda t: mask_name(t.citizen_name)),
        Column(gettext_lazy("Phone"), lambda t: mask_phone(t.citizen_phone)),
        Column(gettext_lazy("Location"), "location", width=24),
        Column(gettext_lazy("Content"), "content", width=40),
        Column(gettext_lazy("Close by"), "close_due", width=12),
        Column(gettext_lazy("Closed at"), "closed_at", width=18),
        Column(gettext_lazy("Closed on time"), "closed_on_time", width=10),
        Column(gettext_lazy("Reply"), "reply", width=40),
    )

    def get_queryset(self) -> Any:
        return Ticket.objects.visible_to(self.request.user).for_list()

    def export_queryset(self, queryset: Any) -> Any:
        return queryset.order_by("-received_at", "-pk")

    def is_queue(self) -> bool:
        status = self.request.GET.get("status", "")
        return status in ("", *OPEN_STATUSES)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        queryset = self.object_list
        after = self.request.GET.get("after", "")
        if self.is_queue():
            queryset = queryset.queue()
            queryset = _queue_after(queryset, after)
        else:
            queryset = queryset.order_by("-received_at", "-pk")
            queryset = _history_after(queryset, after)
        rows = list(queryset[: QUEUE_PAGE + 1])
        more = len(rows) > QUEUE_PAGE
        rows = rows[:QUEUE_PAGE]
        for ticket in rows:
            ticket.state = ticket.deadline_state(today)
            ticket.left = ticket.workdays_left(today)
            ticket.late = -ticket.left if ticket.left and ticket.left < 0 else 0
            ticket.action = next_action(ticket)
            ticket.action_label = ACTION_LABELS.get(ticket.action or "", "")
        query = self.request.GET.copy()
        query.pop("after", None)
        next_url = None
        if more and rows:
            last = rows[-1]
            key = (
                f"{last.next_due.isoformat()},{last.pk}"
                if self.is_queue() and last.next_due
                else f"{last.received_at.isoformat()},{last.pk}"
            )
            query["after"] = key
            next_url = "?" + query.urlencode()
        context.update(
            rows=rows,
            next_url=next_url,
            first_url="?" + self.request.GET.copy().urlencode() if after else None,
            counts=_counts(Ticket.objects.visible_to(self.request.user)),
            queue_mode=self.is_queue(),
            today=today,
            can_import=has_role(self.request.user, DESK),
        )
        if after:
            reset = self.request.GET.copy()
            reset.pop("after", None)
            context["first_url"] = "?" + reset.urlencode()
        return context


def _counts(queryset: Any) -> list[dict[str, Any]]:
    """The header of the queue: each open state with its count; closed and returned as
    links to their lists, without a count over the whole history."""
    counts = queryset.state_counts()
    return [
        {"status": value, "label": label, "count": counts.get(value)}
        for value, label in TicketStatus.choices
    ]


def _position(after: str, parse: Callable[[str], Any]) -> tuple[Any, int] | None:
    """A keyset page's ``value,id`` position; None when there is none (or it is garbled:
    the first page then)."""
    try:
        text, pk_text = after.rsplit(",", 1)
        return parse(text), int(pk_text)
    except ValueError:
        return None


def _queue_after(queryset: Any, after: str) -> Any:
    position = _position(after, dt.date.fromisoformat) if after else None
    return queryset.queue_after(*position) if position else queryset


def _history_after(queryset: Any, after: str) -> Any:
    position = _position(after, dt.datetime.fromisoformat) if after else None
    return queryset.history_before(*position) if position else queryset


# --- one ticket ---------------------------------------------------------------------------

_HISTORY_FIELDS = (
    "status",
    "round",
    "handler",
    "category",
    "unit",
    "next_due",
    "close_due",
    "reply",
    "return_reason",
    "content",
    "location",
)


def ticket_history(ticket: Ticket) -> list[dict[str, Any]]:
    """Who changed what and when, newest first (a fixed number of queries); a ticket's
    first entry says the state, unit and category it was received in."""
    return history.history_entries(
        ticket,
        _HISTORY_FIELDS,
        created=_("Received"),
        show_initial=("status", "unit", "category"),
        display={"status": services.state_label},
    )


def ticket_context(request: HttpRequest, ticket: Ticket, **forms: Any) -> dict[str, Any]:
    today = timezone.localdate()
    scope = scope_of(request.user)
    handler_user = ticket.handler.user_id if ticket.handler else None
    category = ticket.category
    left = ticket.workdays_left(today)
    extensions = list(ticket.extensions.select_related("requested_by", "decided_by"))
    context: dict[str, Any] = {
        "ticket": ticket,
        "today": today,
        "state": ticket.deadline_state(today),
        "left": left,
        "late": -left if left is not None and left < 0 else 0,
        "action": next_action(ticket),
        "masked_name": mask_name(ticket.citizen_name),
        "masked_phone": mask_phone(ticket.citizen_phone),
        "can_reveal": scope.has_any(*DESK),
        "can_act": scope.has_any(*DESK),
        "can_command": scope.has_any(*STAFF),
        # the buttons: what the ticket's transition table allows this user now
        "actions": TICKET_TRANSITIONS.offered(ticket, lambda roles: scope.has_any(*roles)),
        "is_handler": handler_user is not None and handler_user == request.user.pk,
        "replies": list(ticket.replies.select_related("replied_by").order_by("round")),
        "callbacks": list(ticket.callbacks.select_related("by").order_by("round")),
        "extensions": extensions,
        "templates": category.reply_templates or [],
        "assign_form": forms.get("assign") or AssignForm(unit_id=ticket.unit_id),
        "reply_form": forms.get("reply") or ReplyForm(),
        "callback_form": forms.get("callback") or CallbackForm(),
        "return_form": forms.get("return") or ReasonForm(),
        "reopen_form": forms.get("reopen") or ReopenForm(),
        "extend_form": forms.get("extend") or ExtendForm(),
        "history": ticket_history(ticket),
    }
    context["pending_extension"] = next((e for e in extensions if e.status == "pending"), None)
    return context


def _ticket_for(request: HttpRequest, pk: int) -> Ticket:
    return get_object_or_404(
        Ticket.objects.visible_to(request.user).select_related(
            "category", "unit", "handler", "signed_by", "closed_by"
        ),
        pk=pk,
    )


class TicketDetailView(RoleRequiredMixin, View):
    """A ticket: what the citizen asked, the deadlines, the rounds, the actions, the
    history. With htmx (or ``?panel=1``), the side panel of the queue."""

    read_roles = EVERYONE

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        ticket = _ticket_for(request, pk)
        context = ticket_context(request, ticket)
        if is_htmx(request) or request.GET.get("panel"):
            return render(request, "petitions/partials/ticket_panel.html", context)
        return render(request, "petitions/ticket_detail.html", context)


class TicketActionView(RoleRequiredMixin, View):
    """One action on a ticket (POST): sign, assign, reply, close, call back, return,
    request or decide an extension, reopen, reveal the phone."""

    action = ""
    read_roles = DESK
    write_roles = DESK

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if self.action in ("reopen", "decide"):
            self.write_roles = STAFF
        return super().dispatch(request, *args, **kwargs)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        ticket = _ticket_for(request, pk)
        handler = getattr(self, f"do_{self.action}")
        try:
            result = handler(request, ticket)
        except TransitionNotAllowed as exc:
            return self.answer(request, ticket, error=exc.message, status=409)
        except ValidationError as exc:
            return self.answer(request, ticket, error=" ".join(exc.messages), status=400)
        if isinstance(result, HttpResponse):
            return result
        if isinstance(result, dict):  # a form with errors
            return self.answer(request, ticket, forms=result, status=400)
        return self.answer(request, ticket, done=result)

    def answer(
        self,
        request: HttpRequest,
        ticket: Ticket,
        *,
        error: str | None = None,
        done: str | None = None,
        forms: dict[str, Any] | None = None,
        status: int = 200,
    ) -> HttpResponse:
        ticket = _ticket_for(request, ticket.pk)
        if is_htmx(request):
            context = ticket_context(request, ticket, **(forms or {}))
            context.update(error=error, done=done, oob_row=True)
            return render(request, "petitions/partials/ticket_panel.html", context, status=status)
        if forms:
            context = ticket_context(request, ticket, **forms)
            return render(request, "petitions/ticket_detail.html", context, status=status)
        if error:
            messages.error(request, error)
        elif done:
            messages.success(request, done)
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
            target = reverse("petitions:ticket_detail", args=[ticket.pk])
        response = redirect(target)
        if error:
            # the redirect keeps the browser's flow; the status says what happened
            response.status_code = 303
        return response

    def do_sign(self, request: HttpRequest, ticket: Ticket) -> str:
        services.ticket_sign(ticket=ticket, by=request.user)
        return _("Ticket %(number)s signed.") % {"number": ticket.number}

    def do_assign(self, request: HttpRequest, ticket: Ticket) -> Any:
        form = AssignForm(request.POST, unit_id=ticket.unit_id)
        if not form.is_valid():
            return {"assign": form}
        services.ticket_assign(ticket=ticket, handler=form.cleaned_data["handler"], by=request.user)
        return _("Assigned to %(name)s.") % {"name": form.cleaned_data["handler"].name}

    def do_reply(self, request: HttpRequest, ticket: Ticket) -> Any:
        form = ReplyForm(request.POST)
        if not form.is_valid():
            return {"reply": form}
        services.ticket_reply(ticket=ticket, text=form.cleaned_data["text"], by=request.user)
        return _("Reply recorded.")

    def do_close(self, request: HttpRequest, ticket: Ticket) -> str:
        services.ticket_close(ticket=ticket, by=request.user)
        return _("Ticket %(number)s closed.") % {"number": ticket.number}

    def do_callback(self, request: HttpRequest, ticket: Ticket) -> Any:
        form = CallbackForm(request.POST)
        if not form.is_valid():
            return {"callback": form}
        callback = services.ticket_callback(
            ticket=ticket,
            result=form.cleaned_data["result"],
            notes=form.cleaned_data["notes"],
            by=request.user,
        )
        if callback.result == "dissatisfied":
            return _("Callback recorded: the ticket is reopened for round %(round)s.") % {
                "round": callback.round + 1
            }
        return _("Callback recorded.")

    def do_return(self, request: HttpRequest, ticket: Ticket) -> Any:
        form = ReasonForm(request.POST)
        if not form.is_valid():
            return {"return": form}
        services.ticket_return(ticket=ticket, reason=form.cleaned_data["reason"], by=request.user)
        return _("Ticket returned to the platform.")

    def do_extend(self, request: HttpRequest, ticket: Ticket) -> Any:
        form = ExtendForm(request.POST)
        if not form.is_valid():
            return {"extend": form}
        services.extension_request(ticket=ticket, by=request.user, **form.cleaned_data)
        return _("Extension requested; a commander will decide.")

    def do_decide(self, request: HttpRequest, ticket: Ticket) -> Any:
        form = DecideForm(request.POST)
        extension = TicketExtension.objects.pending().filter(ticket=ticket).first()
        if not form.is_valid() or extension is None:
            raise TransitionNotAllowed(
                _("This ticket has no extension awaiting approval."), state=None
            )
        approve = form.cleaned_data["approve"]
        services.extension_decide(extension=extension, approve=approve, by=request.user)
        return _("Extension approved.") if approve else _("Extension rejected.")

    def do_reopen(self, request: HttpRequest, ticket: Ticket) -> Any:
        form = ReopenForm(request.POST)
        if not form.is_valid():
            return {"reopen": form}
        services.ticket_reopen(ticket=ticket, by=request.user, reason=form.cleaned_data["reason"])
        return _("Ticket reopened.")

    def do_reveal(self, request: HttpRequest, ticket: Ticket) -> HttpResponse:
        shown = services.reveal_phone(
            ticket=ticket, user=request.user, ip=request.META.get("REMOTE_ADDR")
        )
        # the phone number is not stored with the request's key: a repeat shows (and
        # audits) it again
        return not_kept(render(request, "petitions/partials/citizen_revealed.html", shown))


class TicketCreateView(RoleRequiredMixin, View):
    """Enter one ticket by hand."""

    read_roles = DESK
    write_roles = DESK

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request, "petitions/ticket_form.html", {"form": TicketForm(user=request.user)}
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        form = TicketForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                ticket = services.ticket_create(created_by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(
                    request, _("Ticket %(number)s entered.") % {"number": ticket.number}
                )
                return redirect("petitions:ticket_detail", ticket.pk)
        return render(request, "petitions/ticket_form.html", {"form": form}, status=400)


class TicketImportView(RoleRequiredMixin, View):
    """Upload → preview (a dry run; the file is kept) → confirm (the import, all or
    nothing) or cancel."""

    read_roles = DESK
    write_roles = DESK
    template = "petitions/ticket_import.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template, {"form": ImportForm(), "columns": _columns()})

    def post(self, request: HttpRequest) -> HttpResponse:
        token = request.POST.get("token", "")
        if token:
            if request.POST.get("cancel"):
                drop_stash(token, request.user)
                return redirect("petitions:ticket_import")
            upload = open_stash(token, request.user)
            if upload is None:
                messages.error(request, _("The file is no longer available; upload it again."))
                return redirect("petitions:ticket_import")
            with upload:
                report = services.tickets_import(upload=upload, by=request.user)
            if report.ok:
                drop_stash(token, request.user)
                messages.success(
                    request,
                    _("Imported: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.")
                    % {
                        "created": report.created,
                        "updated": report.updated,
                        "unchanged": report.unchanged,
                    },
                )
                return redirect("petitions:ticket_list")
            context = {"form": ImportForm(), "report": report, "columns": _columns()}
            return render(request, self.template, context, status=400)
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, self.template, {"form": form, "columns": _columns()}, status=400)
        upload = form.cleaned_data["file"]
        report = services.tickets_import(upload=upload, by=request.user, dry_run=True)
        preview: dict[str, Any] = {"form": ImportForm(), "report": report, "columns": _columns()}
        if report.ok:
            preview["token"] = stash_upload(upload, request.user)
        return render(request, self.template, preview, status=200 if report.ok else 400)


def _columns() -> list[dict[str, Any]]:
    return [
        {
            "key": key,
            "names": " / ".join(spellings[:3]),
            "required": key in services.IMPORT_REQUIRED,
        }
        for key, spellings in services.IMPORT_COLUMNS.items()
    ]


# --- consultations and proposals -------------------------------------------------------


class ConsultationListView(ExcelExportMixin, ScopedFilterListView):
    model = Consultation
    filterset_class = ConsultationFilterSet
    template_name = "petitions/consultation_list.html"
    read_roles = EVERYONE
    page_title = pgettext_lazy("records", "Consultations")
    filter_fields = ("q", "channel", "unit", "date_from", "date_to")
    export_filename = "consultations"
    export_columns = (
        Column(gettext_lazy("Answered at"), "at", width=18),
        Column(gettext_lazy("Channel"), "get_channel_display"),
        Column(gettext_lazy("Question"), "topic", width=30),
        Column(gettext_lazy("Answer given"), "answer", width=40),
        Column(gettext_lazy("Answered by"), "answered_by.name"),
        Column(gettext_lazy("Unit"), "unit.name"),
    )

    def get_queryset(self) -> Any:
        return (
            Consultation.objects.visible_to(self.request.user)
            .select_related("unit", "answered_by")
            .order_by("-at", "-pk")
        )


class ConsultationCreateView(RoleRequiredMixin, View):
    """The quick log of a question answered by phone or in person."""

    read_roles = EVERYONE
    write_roles = EVERYONE

    def get(self, request: HttpRequest) -> HttpResponse:
        scope = scope_of(request.user)
        initial = {"channel": "phone", "unit": scope.unit_id, "answered_by": scope.officer_id}
        form = ConsultationForm(user=request.user, initial=initial)
        return render(request, "petitions/consultation_form.html", {"form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ConsultationForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                services.consultation_log(**form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Question logged."))
                return redirect("petitions:consultation_list")
        return render(request, "petitions/consultation_form.html", {"form": form}, status=400)


class ProposalListView(ExcelExportMixin, ScopedFilterListView):
    model = Proposal
    filterset_class = ProposalFilterSet
    template_name = "petitions/proposal_list.html"
    read_roles = DESK
    page_title = gettext_lazy("Proposals")
    filter_fields = ("kind", "grade", "reply_mode", "answered", "unit", "date_from", "date_to")
    export_filename = "proposals"
    export_columns = (
        Column(gettext_lazy("Kind"), "get_kind_display", width=24),
        Column(gettext_lazy("Proposer"), "proposer"),
        Column(gettext_lazy("Proposer's grade"), "get_grade_display"),
        Column(gettext_lazy("Title"), "title", width=40),
        Column(gettext_lazy("Received on"), "received_on", width=12),
        Column(gettext_lazy("Reply mode"), "get_reply_mode_display"),
        Column(gettext_lazy("Replied at"), "replied_at", width=18),
        Column(gettext_lazy("Unit"), "unit.name"),
    )

    def get_queryset(self) -> Any:
        return (
            Proposal.objects.visible_to(self.request.user)
            .select_related("unit", "handler")
            .order_by("-received_on", "-pk")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["answer_form"] = ProposalAnswerForm()
        return context


class ProposalCreateView(RoleRequiredMixin, View):
    read_roles = DESK
    write_roles = DESK

    def get(self, request: HttpRequest) -> HttpResponse:
        form = ProposalForm(
            user=request.user,
            initial={"unit": scope_of(request.user).unit_id, "received_on": timezone.localdate()},
        )
        return render(request, "petitions/proposal_form.html", {"form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ProposalForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                services.proposal_save(**form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Proposal recorded."))
                return redirect("petitions:proposal_list")
        return render(request, "petitions/proposal_form.html", {"form": form}, status=400)


def record_history(record: Any, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    """Who changed what and when on a plain record (one query), newest first."""
    return history.history_entries(record, fields, created=_("Recorded"), show_initial=True)


class ProposalDetailView(RoleRequiredMixin, View):
    """A proposal, its answer, and its history."""

    read_roles = DESK

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        proposal = get_object_or_404(
            Proposal.objects.visible_to(request.user).select_related("unit", "handler"), pk=pk
        )
        history = record_history(
            proposal,
            (
                "title",
                "proposer",
                "grade",
                "received_on",
                "due_on",
                "reply_mode",
                "reply",
                "replied_at",
            ),
        )
        context = {"proposal": proposal, "history": history, "answer_form": ProposalAnswerForm()}
        return render(request, "petitions/proposal_detail.html", context)


class ProposalAnswerView(RoleRequiredMixin, View):
    read_roles = DESK
    write_roles = DESK

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        proposal = get_object_or_404(Proposal.objects.visible_to(request.user), pk=pk)
        form = ProposalAnswerForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose how the proposal was answered."))
        else:
            try:
                services.proposal_answer(proposal=proposal, **form.cleaned_data)
                messages.success(request, _("Answer recorded."))
            except TransitionNotAllowed as exc:
                messages.error(request, exc.message)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
        return redirect("petitions:proposal_list")


# --- the weekly summary ------------------------------------------------------------------


class WeeklySummaryView(RoleRequiredMixin, View):
    """每周汇总: a week's tickets received, closed and overdue, by category, with the
    notable tickets listed; printable (A4), and as an Excel file with ``?export=xlsx``."""

    read_roles = DESK
    template = "petitions/weekly_summary.html"

    def get(self, request: HttpRequest) -> HttpResponseBase:
        from brigade.core.kpi.scopes import resolve_scope, visible_units
        from brigade.core.kpi.weeks import current_week, parse_week, week_key
        from petitions.weekly import link_rows, weekly_summary

        text = request.GET.get("week", "").strip()
        this_week = current_week()
        monday, error = this_week, ""
        if text:
            try:
                monday = parse_week(text)
            except ValueError:
                error = _("“%(week)s” is not a week like 2022-W24: showing this week.") % {
                    "week": text
                }
        if monday > this_week:
            monday, error = this_week, _("That week has not begun: showing this week.")
        units = visible_units(request.user)
        raw_unit = request.GET.get("unit", "").strip()
        if raw_unit and not raw_unit.isdigit():
            raise Http404(_("No such unit in your scope."))
        scope = resolve_scope(request.user, int(raw_unit) if raw_unit else None, units)
        summary = weekly_summary(request.user, monday, scope.unit_id)
        link_rows(summary)
        if request.GET.get("export") == "xlsx" and not error:
            return weekly_export(summary, scope.name)
        query: dict[str, str | int] = {"week": week_key(monday)}
        if raw_unit and scope.unit_id is not None:
            query["unit"] = scope.unit_id
        context = {
            "page_title": _("Weekly summary"),
            "summary": summary,
            "scope_choice": scope,
            "brigade_wide": scope_of(request.user).brigade_wide,
            "units": units,
            "week": week_key(monday),
            "this_week": week_key(this_week),
            "is_this_week": monday == this_week,
            "previous_week": week_key(monday - dt.timedelta(days=7)),
            "next_week": week_key(monday + dt.timedelta(days=7)) if monday < this_week else None,
            "week_error": error,
            "export_url": "?" + urlencode({**query, "export": "xlsx"}),
            "notable": [(summary.notable[kind], label) for kind, label in NOTABLE_LABELS.items()],
        }
        return render(request, self.template, context, status=400 if error else 200)


NOTABLE_LABELS = {
    "overdue": gettext_lazy("Overdue at the week's end"),
    "reopened": gettext_lazy("Reopened (dissatisfied callback or a commander's reopening)"),
    "extended": gettext_lazy("Extensions requested"),
    "returned": gettext_lazy("Returned to the platform"),
}


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def weekly_export(summary: Any, scope_name: str) -> HttpResponseBase:
    """The summary as an .xlsx: the figures by category, then one sheet per kind of
    notable ticket."""
    from brigade.core.spreadsheets import Sheet, xlsx_response

    figures = (
        Column(
            gettext_lazy("Category"),
            lambda r: r.category.name if r.category else _("All categories"),
        ),
        Column(gettext_lazy("Received"), "received", width=10),
        Column(gettext_lazy("Replied"), "replied", width=10),
        Column(gettext_lazy("Closed"), "closed", width=10),
        Column(gettext_lazy("Closed on time"), "closed_on_time", width=10),
        Column(gettext_lazy("On-time rate"), lambda r: _rate(r.on_time_rate), width=10),
        Column(gettext_lazy("Received and closed"), "received_closed", width=10),
        Column(gettext_lazy("Closure rate"), lambda r: _rate(r.closure_rate), width=10),
        Column(gettext_lazy("Overdue"), "overdue", width=10),
        Column(gettext_lazy("Reopened"), "reopened", width=10),
        Column(gettext_lazy("Returned"), "returned", width=10),
        Column(gettext_lazy("Satisfied callbacks"), "callbacks_satisfied", width=10),
        Column(gettext_lazy("Callbacks answered"), "callbacks_answered", width=10),
    )
    ticket_columns = (
        Column(gettext_lazy("Platform number"), "number", width=20),
        Column(gettext_lazy("Received at"), "received_at", width=18),
        Column(gettext_lazy("Category"), "category.name"),
        Column(gettext_lazy("Unit"), "unit.name"),
        Column(gettext_lazy("Status"), "get_status_display"),
        Column(gettext_lazy("Close by"), "close_due", width=12),
        Column(gettext_lazy("Content"), "content", width=40),
    )
    extension_columns = (
        Column(gettext_lazy("Platform number"), "ticket.number", width=20),
        Column(gettext_lazy("Category"), "ticket.category.name"),
        Column(gettext_lazy("Unit"), "ticket.unit.name"),
        Column(gettext_lazy("Closing deadline before"), "old_due", width=12),
        Column(gettext_lazy("New closing deadline"), "new_due", width=12),
        Column(gettext_lazy("Status"), "get_status_display"),
        Column(gettext_lazy("Reason"), "reason", width=40),
    )
    title = _("%(week)s %(scope)s") % {"week": summary.key, "scope": scope_name}
    sheets = [Sheet(title, figures, [*summary.rows, summary.total])]
    for kind, label in NOTABLE_LABELS.items():
        columns = extension_columns if kind == "extended" else ticket_columns
        sheets.append(Sheet(label, columns, summary.notable[kind].rows))
    return xlsx_response(f"weekly-{summary.key}", sheets)
