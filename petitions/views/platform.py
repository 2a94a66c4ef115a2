"""The round trip with the 12345 platform, for the desk: the exports of what the brigade did
(make the next one, download any), and the imports of the platform's supervision notices
and callback results (upload → preview → confirm, like the ticket import)."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from brigade.core.imports import ImportReport, drop_stash, open_stash, stash_upload
from brigade.core.permissions import RoleRequiredMixin
from brigade.core.roles import DESK
from brigade.core.scope import scope_of
from brigade.core.spreadsheets import XLSX_TYPE
from brigade.core.views import PostOnlyMixin
from petitions import services
from petitions.forms import ImportForm, PlatformExportForm
from petitions.models import PlatformExport
from petitions.services import platform

EXPORTS_PAGE = 25


def platform_download(export: PlatformExport, kind: str) -> HttpResponseBase:
    """The export's file, written again from its actions: XLSX, or CSV (``kind``)."""
    if kind == "csv":
        handle: Any = io.BytesIO(platform.export_csv(export))
        content_type = "text/csv; charset=utf-8"
    elif kind == "xlsx":
        handle = platform.export_xlsx(export)
        content_type = XLSX_TYPE
    else:
        return HttpResponse(_("Ask for xlsx or csv."), status=400, content_type="text/plain")
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=platform.export_filename(export, kind),
        content_type=content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


class PlatformExportListView(RoleRequiredMixin, View):
    """导出给12345平台: the next export, the exports made so far, the two imports."""

    read_roles = DESK
    write_roles = DESK
    template = "petitions/platformexport_list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template, self.context(request, PlatformExportForm()))

    def context(self, request: HttpRequest, form: PlatformExportForm) -> dict[str, Any]:
        exports = PlatformExport.objects.visible_to(request.user).select_related("by", "unit")
        page = Paginator(exports, EXPORTS_PAGE).get_page(request.GET.get("page"))
        waiting = platform.PlatformAction.objects.visible_to(request.user).not_exported().count()
        return {
            "form": form,
            "page_obj": page,
            "exports": page.object_list,
            "waiting": waiting,
            "brigade_wide": scope_of(request.user).brigade_wide,
        }


class PlatformExportCreateView(RoleRequiredMixin, PostOnlyMixin, View):
    """Make the next export, then back to the list with its download offered."""

    read_roles = DESK
    write_roles = DESK
    http_method_names = ["post"]
    landing = "petitions:platformexport_list"

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PlatformExportForm(request.POST)
        if not form.is_valid():
            view = PlatformExportListView()
            context = view.context(request, form)
            return render(request, view.template, context, status=400)
        export = services.platform_export(by=request.user, until=form.cleaned_data["until"])
        if export.rows:
            messages.success(
                request,
                _("Export %(id)s made: %(rows)s actions. Upload its file to the platform.")
                % {"id": export.pk, "rows": export.rows},
            )
        else:
            messages.info(request, _("Nothing new since the last export."))
        return redirect("petitions:platformexport_list")


class PlatformExportDownloadView(RoleRequiredMixin, View):
    """An export's file (``?as=csv`` for CSV); another unit's export is not found."""

    read_roles = DESK
    write_roles = DESK

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        export = get_object_or_404(PlatformExport.objects.visible_to(request.user), pk=pk)
        return platform_download(export, request.GET.get("as", "xlsx"))


class PlatformImportView(RoleRequiredMixin, View):
    """Upload → preview (a dry run; the file is kept) → confirm or cancel, for one of the
    platform's two files (``kind``: supervisions or callbacks)."""

    read_roles = DESK
    write_roles = DESK
    template = "petitions/platform_import.html"
    kind = "supervisions"

    def run(self, request: HttpRequest, upload: Any, dry_run: bool) -> ImportReport:
        if self.kind == "supervisions":
            return services.supervisions_import(upload=upload, by=request.user, dry_run=dry_run)
        return services.platform_callbacks_import(upload=upload, by=request.user, dry_run=dry_run)

    def context(self, **extra: Any) -> dict[str, Any]:
        if self.kind == "supervisions":
            columns, required = platform.SUPERVISION_COLUMNS, platform.SUPERVISION_REQUIRED
            title = _("Import supervision notices")
        else:
            columns, required = platform.CALLBACK_COLUMNS, platform.CALLBACK_REQUIRED
            title = _("Import the platform's callback results")
        described = [
            {"key": key, "names": " / ".join(names[:3]), "required": key in required}
            for key, names in columns.items()
        ]
        return {
            "form": ImportForm(),
            "kind": self.kind,
            "title": title,
            "columns": described,
            **extra,
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template, self.context())

    def post(self, request: HttpRequest) -> HttpResponse:
        here = f"petitions:platform_{self.kind}_import"
        token = request.POST.get("token", "")
        if token:
            if request.POST.get("cancel"):
                drop_stash(token, request.user)
                return redirect(here)
            upload = open_stash(token, request.user)
            if upload is None:
                messages.error(request, _("The file is no longer available; upload it again."))
                return redirect(here)
            with upload:
                report = self.run(request, upload, dry_run=False)
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
                return redirect("petitions:platformexport_list")
            return render(request, self.template, self.context(report=report), status=400)
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, self.template, {**self.context(), "form": form}, status=400)
        upload = form.cleaned_data["file"]
        report = self.run(request, upload, dry_run=True)
        extra: dict[str, Any] = {"report": report}
        if report.ok:
            extra["token"] = stash_upload(upload, request.user)
        return render(
            request, self.template, self.context(**extra), status=200 if report.ok else 400
        )
