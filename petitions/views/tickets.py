"""A ticket's page with its actions and history, the new-ticket form, and the import with
its preview."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from brigade.core import history
from brigade.core.clientip import client_ip
from brigade.core.errors import TransitionNotAllowed
from brigade.core.idempotency import not_kept
from brigade.core.imports import drop_stash, open_stash, stash_upload
from brigade.core.permissions import RoleRequiredMixin, may_check
from brigade.core.privacy import mask_name, mask_phone, may_reveal
from brigade.core.roles import DESK, STAFF
from brigade.core.scope import scope_of
from brigade.core.views import PostOnlyMixin, is_htmx
from petitions import services
from petitions.forms import (
    AssignForm,
    CallbackForm,
    DecideForm,
    ExtendForm,
    ImportForm,
    ReasonForm,
    ReopenForm,
    ReplyForm,
    TicketForm,
)
from petitions.models import Ticket, TicketExtension
from petitions.transitions import EXTENSION_DECIDERS, TICKET_TRANSITIONS, undo_close_until
from petitions.views.queue import next_action

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


def ticket_context(request: HttpRequest, ticket: Ticket, **forms: Form) -> dict[str, object]:
    today = timezone.localdate()
    scope = scope_of(request.user)
    handler_user = ticket.handler.user_id if ticket.handler else None
    category = ticket.category
    left = ticket.workdays_left(today)
    extensions = list(ticket.extensions.select_related("requested_by", "decided_by"))
    # the buttons: what the ticket's transition table allows this user now
    actions = TICKET_TRANSITIONS.offered(ticket, lambda roles: scope.has_any(*roles))
    # a close is undone by whoever made it only, within the window the table's guard says
    until = undo_close_until(ticket)
    undo_seconds = int((until - timezone.now()).total_seconds()) if until else 0
    actions["undo_close"] = (
        actions["undo_close"] and ticket.closed_by_id == request.user.pk and undo_seconds > 0
    )
    context: dict[str, object] = {
        "ticket": ticket,
        "today": today,
        "state": ticket.deadline_state(today),
        "left": left,
        "late": -left if left is not None and left < 0 else 0,
        "action": next_action(ticket),
        "masked_name": mask_name(ticket.citizen_name),
        "masked_phone": mask_phone(ticket.citizen_phone),
        "can_reveal": may_reveal(request.user),
        "can_act": scope.has_any(*DESK),
        "can_command": scope.has_any(*STAFF),
        "actions": actions,
        "undo_seconds": undo_seconds,
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
    pending = next((e for e in extensions if e.status == "pending"), None)
    context["pending_extension"] = pending
    # a check of someone's request: commanders or the second approver, never its requester
    context["can_decide_extension"] = (
        pending is not None
        and may_check(request.user, EXTENSION_DECIDERS)
        and pending.requested_by_id != request.user.pk
    )
    return context


# what an action's form read (its cleaned data), handed to the action's handler
FormData = dict[str, Any]


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

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        ticket = _ticket_for(request, pk)
        context = ticket_context(request, ticket)
        if is_htmx(request) or request.GET.get("panel"):
            return render(request, "petitions/partials/ticket_panel.html", context)
        return render(request, "petitions/ticket_detail.html", context)


class TicketActionView(PostOnlyMixin, RoleRequiredMixin, View):
    """One action on a ticket (POST): sign, assign, reply, close, call back, return,
    request or decide an extension, reopen, reveal the phone; and undo a close at
    once. Landed on by GET: the ticket's page."""

    action = ""
    landing = "petitions:ticket_detail"
    read_roles = DESK
    write_roles = DESK
    # the form each action reads, by action (its errors are shown under that name)
    forms: dict[str, type[Form]] = {
        "assign": AssignForm,
        "reply": ReplyForm,
        "callback": CallbackForm,
        "return": ReasonForm,
        "extend": ExtendForm,
        "reopen": ReopenForm,
    }

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if self.action == "reopen":
            self.write_roles = STAFF
        elif self.action == "decide":
            # a check of someone's request: also open to the second approver
            self.write_roles = EXTENSION_DECIDERS
            self.check_action = True
        return super().dispatch(request, *args, **kwargs)

    def get_landing_url(self) -> str:
        _ticket_for(self.request, self.kwargs["pk"])  # out of scope: 404 here, as for POST
        return super().get_landing_url()

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        ticket = _ticket_for(request, pk)
        handler = getattr(self, f"do_{self.action}")
        form_class = self.forms.get(self.action)
        data: FormData = {}
        if form_class is not None:
            form = (
                AssignForm(request.POST, unit_id=ticket.unit_id)
                if form_class is AssignForm
                else form_class(request.POST)
            )
            if not form.is_valid():
                return self.answer(request, ticket, forms={self.action: form}, status=400)
            data = form.cleaned_data
        try:
            result = handler(request, ticket, data)
        except TransitionNotAllowed as exc:
            return self.answer(request, ticket, error=exc.message, status=409)
        except ValidationError as exc:
            return self.answer(request, ticket, error=" ".join(exc.messages), status=400)
        if isinstance(result, HttpResponse):
            return result
        return self.answer(request, ticket, done=result)

    def answer(
        self,
        request: HttpRequest,
        ticket: Ticket,
        *,
        error: str | None = None,
        done: str | None = None,
        forms: dict[str, Form] | None = None,
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

    def do_sign(self, request: HttpRequest, ticket: Ticket, data: FormData) -> str:
        services.ticket_sign(ticket=ticket, by=request.user)
        return _("Ticket %(number)s signed.") % {"number": ticket.number}

    def do_assign(self, request: HttpRequest, ticket: Ticket, data: FormData) -> str:
        services.ticket_assign(ticket=ticket, handler=data["handler"], by=request.user)
        return _("Assigned to %(name)s.") % {"name": data["handler"].name}

    def do_reply(self, request: HttpRequest, ticket: Ticket, data: FormData) -> str:
        services.ticket_reply(ticket=ticket, text=data["text"], by=request.user)
        return _("Reply recorded.")

    def do_close(self, request: HttpRequest, ticket: Ticket, data: FormData) -> str:
        services.ticket_close(ticket=ticket, by=request.user)
        return _("Ticket %(number)s closed.") % {"number": ticket.number}

    def do_undo_close(self, request: HttpRequest, ticket: Ticket, data: FormData) -> str:
        services.ticket_undo_close(ticket=ticket, by=request.user)
        return _("Close of ticket %(number)s undone: it is replied, not closed.") % {
            "number": ticket.number
        }

    def do_callback(self, request: HttpRequest, ticket: Ticket, data: FormData) -> str:
        callback = services.ticket_callback(
            ticket=ticket,
            result=data["result"],
            notes=data["notes"],
            by=request.user,
        )
        if callback.result == "dissatisfied":
            return _("Callback recorded: the ticket is reopened for round %(round)s.") % {
                "round": callback.round + 1
            }
        return _("Callback recorded.")

    def do_return(self, request: HttpRequest, ticket: Ticket, data: FormData) -> str:
        services.ticket_return(ticket=ticket, reason=data["reason"], by=request.user)
        return _("Ticket returned to the platform.")

    def do_extend(self, request: HttpRequest, ticket: Ticket, data: FormData) -> str:
        services.extension_request(ticket=ticket, by=request.user, **data)
        return _("Extension requested; a commander will decide.")

    def do_decide(self, request: HttpRequest, ticket: Ticket, data: FormData) -> str:
        form = DecideForm(request.POST)
        extension = TicketExtension.objects.pending().filter(ticket=ticket).first()
        if not form.is_valid() or extension is None:
            raise TransitionNotAllowed(
                _("This ticket has no extension awaiting approval."), state=None
            )
        approve = form.cleaned_data["approve"]
        services.extension_decide(extension=extension, approve=approve, by=request.user)
        return _("Extension approved.") if approve else _("Extension rejected.")

    def do_reopen(self, request: HttpRequest, ticket: Ticket, data: FormData) -> str:
        services.ticket_reopen(ticket=ticket, by=request.user, reason=data["reason"])
        return _("Ticket reopened.")

    def do_reveal(self, request: HttpRequest, ticket: Ticket, data: FormData) -> HttpResponse:
        shown = services.reveal_phone(ticket=ticket, user=request.user, ip=client_ip(request))
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
        preview: dict[str, object] = {"form": ImportForm(), "report": report, "columns": _columns()}
        if report.ok:
            preview["token"] = stash_upload(upload, request.user)
        return render(request, self.template, preview, status=200 if report.ok else 400)


def _columns() -> list[dict[str, object]]:
    return [
        {
            "key": key,
            "names": " / ".join(spellings[:3]),
            "required": key in services.IMPORT_REQUIRED,
        }
        for key, spellings in services.IMPORT_COLUMNS.items()
    ]
