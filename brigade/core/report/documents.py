"""The period report as files: an Excel workbook (one sheet per area: the figures, then
the records behind them) and an editable Word work summary in Chinese, laid out like the
brigade's half-year report, compared with the previous period of the same length."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import FileResponse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from brigade.core.report import display
from brigade.core.report.compute import _bounds
from brigade.core.report.figures import AREA_LABELS, AREAS
from brigade.core.report.period import Period
from brigade.core.report.report import FigureValue, Report
from brigade.core.spreadsheets import XLSX_TYPE, Column, cell_value

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Rows of one list in the workbook; a longer list ends with a row that says where the rest is.
RECORDS_LIMIT = 5000


# --- the records behind the figures ---------------------------------------------------------


@dataclass(frozen=True)
class Records:
    """A list of records of one area for the period and unit, with its columns."""

    area: str
    title: Promise
    rows: Callable[[Period, int | None], QuerySet[Any]]
    columns: Sequence[Column]


def _in(model_path: str, when: str) -> Callable[[Period, int | None], QuerySet[Any]]:
    """Records of ``app.Model`` whose ``when`` falls in the period, of the unit."""

    def rows(period: Period, unit_id: int | None) -> QuerySet[Any]:
        from django.apps import apps

        model = apps.get_model(model_path)
        qs = model.objects.filter(_bounds(model, when, period.first, period.last))
        if unit_id is not None:
            qs = qs.filter(unit_id=unit_id)
        return qs.select_related("unit").order_by(when, "pk")

    return rows


def _trainings(period: Period, unit_id: int | None) -> QuerySet[Any]:
    return _in("brigade.TrainingSession", "held_on")(period, unit_id).annotate(
        present=Count("attendances", filter=Q(attendances__attended=True))
    )


def _hit_and_run(period: Period, unit_id: int | None) -> QuerySet[Any]:
    return _in("incidents.Accident", "occurred_at")(period, unit_id).filter(hit_and_run=True)


def _advances(period: Period, unit_id: int | None) -> QuerySet[Any]:
    from incidents.choices import AdvanceStatus
    from incidents.models import FundAdvance

    qs = FundAdvance.objects.filter(
        _bounds(FundAdvance, "paid_at", period.first, period.last), status=AdvanceStatus.PAID
    )
    if unit_id is not None:
        qs = qs.filter(accident__unit_id=unit_id)
    return qs.select_related("accident__unit").order_by("paid_at", "pk")


def _zones(period: Period, unit_id: int | None) -> QuerySet[Any]:
    from brigade.duty.models import RoadWorksZone

    qs = RoadWorksZone.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=period.first), starts_on__lte=period.last
    )
    if unit_id is not None:
        qs = qs.filter(unit_id=unit_id)
    return qs.select_related("unit").order_by("starts_on", "pk")


def _tickets(period: Period, unit_id: int | None) -> QuerySet[Any]:
    from petitions.choices import TicketStatus

    return (
        _in("petitions.Ticket", "received_at")(period, unit_id)
        .exclude(status=TicketStatus.RETURNED)
        .select_related("unit", "category")
    )


def _proposals(period: Period, unit_id: int | None) -> QuerySet[Any]:
    return _in("petitions.Proposal", "replied_at")(period, unit_id)


def _stations(period: Period, unit_id: int | None) -> QuerySet[Any]:
    from outreach.models import LoveStation

    qs = LoveStation.objects.filter(is_active=True, opened_on__lte=period.last)
    if unit_id is not None:
        qs = qs.filter(unit_id=unit_id)
    return qs.select_related("unit").order_by("opened_on", "pk")


# column headers and titles are translated when the workbook is written
UNIT = Column(gettext_lazy("Unit"), "unit.name", 12)
RECORDS = [
    Records(
        "team",
        gettext_lazy("Training sessions"),
        _trainings,
        [
            Column(gettext_lazy("Date"), "held_on", 12),
            Column(gettext_lazy("Kind"), "get_kind_display", 22),
            Column(gettext_lazy("Title"), "title", 40),
            UNIT,
            Column(gettext_lazy("Present"), "present", 10),
        ],
    ),
    Records(
        "hazards",
        gettext_lazy("Hazards found"),
        _in("hazards.Hazard", "found_at"),
        [
            Column(gettext_lazy("Found at"), "found_at", 18),
            UNIT,
            Column(gettext_lazy("Road"), "road", 14),
            Column(gettext_lazy("Place"), "location", 24),
            Column(gettext_lazy("Element"), "get_element_display", 12),
            Column(gettext_lazy("Severity"), "get_severity_display", 10),
            Column(gettext_lazy("Status"), "get_status_display", 14),
            Column(gettext_lazy("Verified at"), "verified_at", 18),
        ],
    ),
    Records(
        "hazards",
        gettext_lazy("Key vehicles flagged"),
        _in("hazards.KeyVehicle", "flagged_at"),
        [
            Column(gettext_lazy("Plate"), "plate", 12),
            Column(gettext_lazy("Owner"), "owner", 20),
            Column(gettext_lazy("Reason"), "get_reason_display", 18),
            Column(gettext_lazy("Status"), "get_status_display", 10),
            Column(gettext_lazy("Flagged at"), "flagged_at", 18),
            Column(gettext_lazy("Cleared at"), "cleared_at", 18),
        ],
    ),
    Records(
        "hazards",
        gettext_lazy("Facility works"),
        _in("hazards.FacilityWork", "done_on"),
        [
            Column(gettext_lazy("Done on"), "done_on", 12),
            UNIT,
            Column(gettext_lazy("Kind"), "get_kind_display", 22),
            Column(gettext_lazy("Quantity"), "quantity", 10),
            Column(gettext_lazy("Place"), "place", 24),
        ],
    ),
    Records(
        "incidents",
        gettext_lazy("Hit-and-run cases"),
        _hit_and_run,
        [
            Column(gettext_lazy("Occurred at"), "occurred_at", 18),
            UNIT,
            Column(gettext_lazy("Road"), "road", 14),
            Column(gettext_lazy("Severity"), "get_severity_display", 14),
            Column(gettext_lazy("Solved at"), "solved_at", 18),
        ],
    ),
    Records(
        "incidents",
        gettext_lazy("Relief fund advances paid"),
        _advances,
        [
            Column(gettext_lazy("Paid at"), "paid_at", 18),
            Column(gettext_lazy("Unit"), "accident.unit.name", 12),
            Column(gettext_lazy("Beneficiary"), "beneficiary", 14),
            Column(gettext_lazy("Purpose"), "get_purpose_display", 18),
            Column(gettext_lazy("Amount (CNY)"), "amount", 14),
        ],
    ),
    Records(
        "traffic",
        gettext_lazy("Road-works zones"),
        _zones,
        [
            Column(gettext_lazy("Name"), "name", 24),
            Column(gettext_lazy("Road"), "road", 14),
            UNIT,
            Column(gettext_lazy("Works start"), "starts_on", 12),
            Column(gettext_lazy("Works end"), "ends_on", 12),
            Column(gettext_lazy("Extra officers needed"), "extra_officers", 10),
        ],
    ),
    Records(
        "service",
        gettext_lazy("12345 tickets"),
        _tickets,
        [
            Column(gettext_lazy("Number"), "number", 16),
            Column(gettext_lazy("Received at"), "received_at", 18),
            UNIT,
            Column(gettext_lazy("Category"), "category.name", 16),
            Column(gettext_lazy("Status"), "get_status_display", 10),
            Column(gettext_lazy("Replied at"), "replied_at", 18),
            Column(gettext_lazy("Closed at"), "closed_at", 18),
        ],
    ),
    Records(
        "service",
        gettext_lazy("Questions answered"),
        _in("petitions.Consultation", "at"),
        [
            Column(gettext_lazy("Answered at"), "at", 18),
            UNIT,
            Column(gettext_lazy("Channel"), "get_channel_display", 10),
            Column(gettext_lazy("Topic"), "topic", 30),
        ],
    ),
    Records(
        "service",
        gettext_lazy("Proposals answered"),
        _proposals,
        [
            Column(gettext_lazy("Replied at"), "replied_at", 18),
            UNIT,
            Column(gettext_lazy("Proposer"), "proposer", 12),
            Column(gettext_lazy("Title"), "title", 40),
            Column(gettext_lazy("Reply mode"), "get_reply_mode_display", 14),
        ],
    ),
    Records(
        "service",
        gettext_lazy("Commendations"),
        _in("outreach.Commendation", "received_on"),
        [
            Column(gettext_lazy("Received on"), "received_on", 12),
            UNIT,
            Column(gettext_lazy("Kind"), "get_kind_display", 12),
            Column(gettext_lazy("From"), "giver", 20),
        ],
    ),
    Records(
        "service",
        gettext_lazy("Assistance to the public"),
        _in("outreach.AssistanceEvent", "occurred_at"),
        [
            Column(gettext_lazy("When"), "occurred_at", 18),
            UNIT,
            Column(gettext_lazy("Kind"), "get_kind_display", 20),
            Column(gettext_lazy("Where"), "location", 24),
        ],
    ),
    Records(
        "service",
        gettext_lazy("Love stations"),
        _stations,
        [
            Column(gettext_lazy("Name"), "name", 20),
            UNIT,
            Column(gettext_lazy("Opened on"), "opened_on", 12),
            Column(gettext_lazy("Where"), "location", 30),
        ],
    ),
    Records(
        "publicity",
        gettext_lazy("Publicity events"),
        _in("outreach.PublicityEvent", "held_on"),
        [
            Column(gettext_lazy("Date"), "held_on", 12),
            UNIT,
            Column(gettext_lazy("Venue kind"), "get_venue_kind_display", 14),
            Column(gettext_lazy("Venue"), "venue_name", 22),
            Column(gettext_lazy("Topic"), "topic", 30),
            Column(gettext_lazy("People educated"), "audience", 10),
            Column(gettext_lazy("Consultations"), "consultations", 10),
        ],
    ),
]


# --- Excel ----------------------------------------------------------------------------------


def _filename(report: Report, extension: str) -> str:
    period = report.period
    return f"report-{period.first:%Y%m%d}-{period.last:%Y%m%d}.{extension}"


def _title(report: Report) -> str:
    return _("%(scope)s: period report, %(first)s to %(last)s") % {
        "scope": report.scope.name,
        "first": report.period.first.isoformat(),
        "last": report.period.last.isoformat(),
    }


def workbook(report: Report) -> Any:
    """The workbook as a temporary file, positioned at its start. A fixed number of queries:
    one per list of records."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    bold = Font(bold=True)

    def cells(ws: Any, values: Sequence[Any], strong: bool = False) -> list[Any]:
        out = []
        for value in values:
            cell = WriteOnlyCell(ws, value=cell_value(value))
            if strong:
                cell.font = bold
            out.append(cell)
        return out

    headers = [
        pgettext("period report", "Row"),
        pgettext("period report", "Figure"),
        pgettext("period report", "Value"),
        pgettext("period report", "Numerator"),
        pgettext("period report", "Denominator"),
        pgettext("period report", "Counted in"),
        pgettext("period report", "Records"),
    ]
    for area, values in report.areas():
        ws = book.create_sheet(title=str(area.label)[:31])
        # wide enough for a figure's label and for the records' dates and times below
        for index, width in enumerate((20, 44, 20, 20, 20, 20, 24, 20)):
            ws.column_dimensions[chr(ord("A") + index)].width = width
        ws.append(cells(ws, [f"{area.label} · {_title(report)}"], strong=True))
        ws.append([])
        ws.append(cells(ws, headers, strong=True))
        for fv in values:
            ws.append(cells(ws, _figure_row(fv)))
        for records in RECORDS:
            if records.area != area.key:
                continue
            ws.append([])
            ws.append(cells(ws, [str(records.title)], strong=True))
            ws.append(cells(ws, [str(c.header) for c in records.columns], strong=True))
            rows = list(records.rows(report.period, report.scope.unit_id)[: RECORDS_LIMIT + 1])
            for row in rows[:RECORDS_LIMIT]:
                ws.append(cells(ws, [column.of(row) for column in records.columns]))
            if not rows:
                ws.append(cells(ws, [_("None in this period.")]))
            elif len(rows) > RECORDS_LIMIT:
                ws.append(
                    cells(
                        ws,
                        [
                            _(
                                "Only the first %(limit)s rows are listed here: the list "
                                "page exports them all."
                            )
                            % {"limit": RECORDS_LIMIT}
                        ],
                    )
                )
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it
    book.save(handle)
    handle.seek(0)
    return handle


def _figure_row(fv: FigureValue) -> list[Any]:
    figure = fv.figure
    value = fv.value
    if figure.is_rate:
        shown: Any = float(round(value, 4)) if value is not None else None
    else:
        shown = fv.numerator
    return [
        figure.row,
        str(figure.label),
        shown,
        fv.numerator if figure.is_rate else None,
        fv.denominator,
        str(figure.unit_label) if not figure.is_rate else "%",
        fv.records_url or "",
    ]


def xlsx_response(report: Report) -> FileResponse:
    response = FileResponse(
        workbook(report),
        as_attachment=True,
        filename=_filename(report, "xlsx"),
        content_type=XLSX_TYPE,
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- Word -----------------------------------------------------------------------------------


def _v(report: Report, key: str) -> str:
    return display.value(report.get(key))


def _n(report: Report, key: str) -> str:
    return display.amount(report.get(key).numerator)


def _d(report: Report, key: str) -> str:
    return display.amount(report.get(key).denominator)


def _summary(report: Report) -> dict[str, str]:
    """Each area's paragraph of the work summary, the figures filled in."""
    r = report
    roads = "、".join(r.roads)
    traffic = _(
        "Officers went out on %(patrols)s patrols and post duties, %(hours)s hours in all, "
        "at peak-hour posts, school posts, fixed posts and on mobile and motorcycle "
        "patrols, and corrected %(violations)s traffic violations."
    ) % {
        "patrols": _v(r, "brigade.patrols"),
        "hours": _v(r, "brigade.patrol_hours"),
        "violations": _v(r, "brigade.violations_corrected"),
    }
    if r.roads:
        traffic += _(
            " Extra police kept traffic moving on %(count)s roads under works (%(roads)s)."
        ) % {"count": len(r.roads), "roads": roads}
    return {
        "team": _(
            "The brigade held %(study)s concentrated study sessions, attended %(lecture)s "
            "special lectures and held %(education)s warning and hero education viewings. "
            "It ran %(drill)s batches of drills, with %(drill_people)s participations of "
            "police, auxiliaries and security staff; %(moto)s officers took the motorcycle "
            "skills training and %(moto_passed)s of them passed the assessment."
        )
        % {
            "study": _v(r, "training.study"),
            "lecture": _v(r, "training.lecture"),
            "education": _v(r, "training.education"),
            "drill": _v(r, "training.drill"),
            "drill_people": _v(r, "training.drill_participants"),
            "moto": _v(r, "training.motorcycle_trainees"),
            "moto_passed": _n(r, "training.motorcycle_passed"),
        },
        "hazards": _(
            "%(found)s hazards were found and %(verified)s rectified: a rectification rate "
            "of %(rate)s. Of %(flagged)s key vehicles flagged, %(cleared)s were cleared "
            "(%(kv_rate)s). %(signal)s signal lights and %(sign_pole)s signs and poles were "
            "repaired, the safety facilities in front of %(school_front)s schools were "
            "completed and %(parking_bay)s parking bays painted."
        )
        % {
            "found": _v(r, "hazards.found"),
            "verified": _v(r, "hazards.verified"),
            "rate": _v(r, "hazards.rectification_rate"),
            "flagged": _d(r, "hazards.key_vehicle_clearance_rate"),
            "cleared": _n(r, "hazards.key_vehicle_clearance_rate"),
            "kv_rate": _v(r, "hazards.key_vehicle_clearance_rate"),
            "signal": _v(r, "hazards.facility_works.signal"),
            "sign_pole": _v(r, "hazards.facility_works.sign_pole"),
            "school_front": _v(r, "hazards.facility_works.school_front"),
            "parking_bay": _v(r, "hazards.facility_works.parking_bay"),
        },
        "incidents": _(
            "Of %(cases)s hit-and-run cases, %(solved)s were solved: a solve rate of "
            "%(solve_rate)s. %(quick)s minor accidents were settled quickly (%(share)s of "
            "the property-only accidents). The road-accident social relief fund advanced "
            "%(advanced)s CNY and recovered %(recovered)s CNY."
        )
        % {
            "cases": _d(r, "incidents.hit_and_run_solve_rate"),
            "solved": _n(r, "incidents.hit_and_run_solve_rate"),
            "solve_rate": _v(r, "incidents.hit_and_run_solve_rate"),
            "quick": _v(r, "incidents.quick_settlements"),
            "share": _v(r, "incidents.quick_settlement_share"),
            "advanced": _v(r, "incidents.fund_advanced_cny"),
            "recovered": _v(r, "incidents.fund_recovered_cny"),
        },
        "traffic": traffic,
        "service": _(
            "The brigade handled %(tickets)s 12345 hotline tickets, with a closure rate of "
            "%(closure)s, a feedback rate of %(feedback)s and a satisfaction rate of "
            "%(satisfaction)s, and answered %(questions)s questions by phone or in person. "
            "It answered %(proposals)s legislators' proposals, %(in_person)s of them in "
            "person. It received %(banners)s commendation banners, helped the public "
            "%(assistance)s times, and runs %(stations)s love stations."
        )
        % {
            "tickets": _v(r, "petitions.received"),
            "closure": _v(r, "petitions.closure_rate"),
            "feedback": _v(r, "petitions.feedback_rate"),
            "satisfaction": _v(r, "petitions.satisfaction_rate"),
            "questions": _v(r, "petitions.consultations"),
            "proposals": _v(r, "petitions.proposals_answered"),
            "in_person": _v(r, "petitions.proposals_answered_in_person"),
            "banners": _v(r, "outreach.banners"),
            "assistance": _v(r, "outreach.assistance"),
            "stations": _v(r, "outreach.love_stations"),
        },
        "publicity": _(
            "Publicity went into enterprises %(enterprise)s times, schools %(school)s "
            "times and communities %(community)s times, with %(key_date)s key-date "
            "campaigns; %(consultations)s questions were answered and %(educated)s people "
            "educated at these events."
        )
        % {
            "enterprise": _v(r, "outreach.events.enterprise"),
            "school": _v(r, "outreach.events.school"),
            "community": _v(r, "outreach.events.community"),
            "key_date": _v(r, "outreach.events.key_date"),
            "consultations": _v(r, "outreach.consultations"),
            "educated": _v(r, "outreach.people_educated"),
        },
    }


NUMERALS = "一二三四五六七八九十"


def document(report: Report, previous: Report) -> Any:
    """The Word work summary as a temporary file, positioned at its start. Written in
    Chinese whatever the page's language: it is the brigade's report upward."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    widths = (Cm(7.5), Cm(3.2), Cm(3.2), Cm(2.6))

    with translation.override("zh-hans"):
        doc = Document()
        style = doc.styles["Normal"]
        style.font.name = "SimSun"
        style.font.size = Pt(12)
        # East Asian text needs its own font name, or Word falls back to a Latin one
        style.element.rPr.rFonts.set(qn("w:eastAsia"), "SimSun")
        heading = doc.add_heading(_("%(scope)s work summary") % {"scope": report.scope.name}, 0)
        heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
        period = doc.add_paragraph(
            _("Period: %(first)s to %(last)s; compared with %(prev_first)s to %(prev_last)s.")
            % {
                "first": report.period.first.isoformat(),
                "last": report.period.last.isoformat(),
                "prev_first": previous.period.first.isoformat(),
                "prev_last": previous.period.last.isoformat(),
            }
        )
        period.alignment = WD_ALIGN_PARAGRAPH.CENTER
        doc.add_paragraph(
            _(
                "Every figure below is counted from the brigade's records for the period; "
                "the table of each section compares it with the previous period of the "
                "same length."
            )
        )
        paragraphs = _summary(report)
        before = {fv.key: fv for fv in previous.figures}
        for number, (area, values) in enumerate(report.areas()):
            doc.add_heading(f"{NUMERALS[number]}、{area.label}", 1)
            doc.add_paragraph(paragraphs[area.key])
            table = doc.add_table(rows=1, cols=4)
            table.style = "Table Grid"
            headers = (
                pgettext("period report", "Figure"),
                pgettext("period report", "This period"),
                pgettext("period report", "Previous period"),
                pgettext("period report", "Change"),
            )
            for cell, text in zip(table.rows[0].cells, headers, strict=True):
                cell.text = text
                for run in cell.paragraphs[0].runs:
                    run.bold = True
            for fv in values:
                old = before[fv.key]
                cells = table.add_row().cells
                unit = "" if fv.figure.is_rate else f" {fv.figure.unit_label}"
                cells[0].text = str(fv.figure.label)
                cells[1].text = display.value(fv) + unit
                cells[2].text = display.value(old) + unit
                cells[3].text = display.change(fv, old)
            # the grid's widths (LibreOffice reads them) and each cell's (Word does)
            table.autofit = False
            for column, width in zip(table.columns, widths, strict=True):
                column.width = width
            for row in table.rows:
                for cell, width in zip(row.cells, widths, strict=True):
                    cell.width = width
        doc.add_paragraph(
            _("Generated on %(when)s from the brigade's records.")
            % {"when": timezone.localtime().strftime("%Y-%m-%d %H:%M")}
        )
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it
    doc.save(handle)
    handle.seek(0)
    return handle


def docx_response(report: Report, previous: Report) -> FileResponse:
    response = FileResponse(
        document(report, previous),
        as_attachment=True,
        filename=_filename(report, "docx"),
        content_type=DOCX_TYPE,
    )
    response["Cache-Control"] = "private, no-store"
    return response


__all__ = ["AREAS", "AREA_LABELS", "RECORDS", "docx_response", "xlsx_response"]
