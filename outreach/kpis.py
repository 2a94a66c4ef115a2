"""The outreach metrics: publicity events (in all and by venue kind), people educated,
consultations answered at events, assistance to the public (in all and by kind),
commendations, love stations in service, and the progress of this year's campaigns; and
the outreach figures of the period report (rows 16-20 of FIGURES.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from brigade.core.kpi import declare, register
from brigade.core.kpi.records import QuerysetRecords, describe_urls
from brigade.core.kpi.registry import sql_days, sql_units, sql_year
from brigade.core.kpi.scopes import of_unit
from brigade.core.report import figures
from brigade.core.report.compute import records
from brigade.core.report.figures import C, Counted, Counts, Facts, Figure, Records, register_report
from brigade.core.report.period import Period
from outreach.choices import VENUE_GOALS, AssistanceKind, GoalKind, VenueKind
from outreach.models import (
    AssistanceEvent,
    Commendation,
    LoveStation,
    OutreachCampaign,
    PublicityEvent,
)

# --- campaign progress, in SQL: a venue counts once per campaign, at its first visit -------


# the campaigns' targets: the denominator of their progress, whose cohort (the year the
# campaign started) and unit (its lead unit) the numerator's rows take as well
TARGETS = declare.flow(OutreachCampaign, "starts_on", amount=F("goal_target"))


def campaign_progress_rows(
    connection: Any, lo: dt.date | None, hi: dt.date | None, unit_ids: Iterable[int] | None
) -> tuple[str, list[Any]]:
    """Rows (day, cohort, unit_id, amount, pk, ref) of progress toward campaign goals: pk
    the event (a venue's first visit: the first event there), ref the venue.

    A venue goal (schools covered ...) gains 1 on the first day an event of the campaign
    reached a venue of that kind and name; an events goal gains 1 per event, a people goal
    the event's audience. The cohort is the year the campaign started, the unit its lead
    unit, so that numerator and denominator (the targets) count the same campaigns.
    """
    events = connection.ops.quote_name(PublicityEvent._meta.db_table)
    campaigns = connection.ops.quote_name(OutreachCampaign._meta.db_table)
    venue_goals = sorted(str(goal) for goal in VENUE_GOALS)
    venue_in = ", ".join(["%s"] * len(venue_goals))
    params: list[Any] = [*venue_goals, GoalKind.PEOPLE, GoalKind.EVENTS, GoalKind.PEOPLE]
    # the targets' own cohort and unit (a campaign's rows count where its target does)
    started = f"c.{TARGETS.cohort or TARGETS.when}"
    cohort = sql_year(connection, started)
    unit = f"c.{TARGETS.unit}"
    sql = (
        "SELECT p.day AS day, p.cohort AS cohort, p.unit_id AS unit_id, p.amount AS amount, "
        "p.pk AS pk, p.ref AS ref FROM ("
        f"SELECT MIN(e.held_on) AS day, {cohort} AS cohort, "
        f"{unit} AS unit_id, 1 AS amount, MIN(e.id) AS pk, e.venue_name AS ref "
        f"FROM {events} e JOIN {campaigns} c ON c.id = e.campaign_id "
        f"WHERE c.goal_kind IN ({venue_in}) AND e.venue_kind = c.goal_kind "
        f"GROUP BY e.campaign_id, e.venue_name, {unit}, {started} "
        "UNION ALL "
        f"SELECT e.held_on AS day, {cohort} AS cohort, "
        f"{unit} AS unit_id, CASE WHEN c.goal_kind = %s THEN e.audience ELSE 1 END AS amount, "
        "e.id AS pk, '' AS ref "
        f"FROM {events} e JOIN {campaigns} c ON c.id = e.campaign_id "
        "WHERE c.goal_kind IN (%s, %s)"
        ") p WHERE 1 = 1"
    )
    days_sql, days_params = sql_days(connection, "p.day", lo, hi)
    units_sql, units_params = sql_units("p.unit_id", unit_ids)
    return sql + days_sql + units_sql, [*params, *days_params, *units_params]


def _progress_touch(obj: Any) -> Iterable[tuple[dt.date, int]]:
    """The weeks a changed event or campaign moves: every event day of the campaign (a
    venue's first visit may move to another event)."""
    unit_id: int | None
    if isinstance(obj, OutreachCampaign):
        campaign_id, unit_id = obj.pk, obj.unit_id
    else:
        campaign_id = obj.campaign_id
        if campaign_id is None:
            return
        lead = OutreachCampaign.objects.filter(pk=campaign_id).values_list("unit_id", flat=True)
        unit_id = lead.first()
    if campaign_id is None or unit_id is None:
        return
    days = PublicityEvent.objects.filter(campaign_id=campaign_id).values_list("held_on", flat=True)
    for day in set(days) | ({obj.held_on} if isinstance(obj, PublicityEvent) else set()):
        yield day, unit_id


# --- the metrics --------------------------------------------------------------------------

# love stations in service: those active, from their opening (a stock)
STATIONS = declare.flow(LoveStation, "opened_on", Q(is_active=True))
EVENTS = declare.flow(PublicityEvent, "held_on")


def describe_records() -> None:
    """How the records behind the outreach figures are linked in their lists."""
    for model, page, api in (
        (PublicityEvent, "outreach:publicityevent_detail", "outreach-api:event-detail"),
        (AssistanceEvent, "outreach:assistanceevent_detail", "outreach-api:assistance-detail"),
        (Commendation, "outreach:commendation_detail", "outreach-api:commendation-detail"),
        (LoveStation, "outreach:lovestation_detail", "outreach-api:love-station-detail"),
        (OutreachCampaign, "outreach:outreachcampaign_detail", "outreach-api:campaign-detail"),
    ):
        describe_urls(model, page, api)


def register_metrics() -> None:
    describe_records()
    register_report_figures()
    events = declare.count(
        "outreach.events",
        _("Publicity events"),
        EVENTS,
        _("events"),
        "Publicity events held in the year to date (七进 and key-date campaigns), by their date.",
    )
    assistance = declare.count(
        "outreach.assistance",
        _("Assistance to the public"),
        declare.flow(AssistanceEvent, "occurred_at"),
        _("times"),
        "Times officers helped the public this year (escorts, reunions, lost property ...), "
        "by when it happened.",
    )
    register(
        events,
        declare.split_by(
            events,
            "venue_kind",
            VenueKind,
            "outreach.events_by_venue",
            _("Publicity events by venue kind"),
            "The same events, one figure per venue kind (enterprise, school, community ... "
            "key-date campaign).",
        ),
        declare.count(
            "outreach.people_educated",
            _("People educated"),
            declare.flow(PublicityEvent, "held_on", amount=F("audience")),
            _("people"),
            "The audiences of the year's publicity events, summed.",
        ),
        declare.count(
            "outreach.consultations",
            _("Consultations at events"),
            declare.flow(PublicityEvent, "held_on", amount=F("consultations")),
            _("consultations"),
            "Questions from the public answered at the year's publicity events.",
            tile=False,
        ),
        assistance,
        declare.split_by(
            assistance,
            "kind",
            AssistanceKind,
            "outreach.assistance_by_kind",
            _("Assistance by kind"),
            "The same assistance, one figure per kind.",
        ),
        declare.count(
            "outreach.commendations",
            _("Commendations"),
            declare.flow(Commendation, "received_on"),
            _("commendations"),
            "Banners and letters of thanks received this year, to the unit or one of its officers.",
            tile=False,
        ),
        declare.count(
            "outreach.love_stations",
            _("Love stations"),
            STATIONS,
            _("stations"),
            "Love stations in service (a stock): active stations opened by the week's end. A "
            "closed station leaves every week's figure.",
            window="cumulative",
            tile=False,
        ),
        declare.rate(
            "outreach.campaign_progress",
            _("Campaign progress"),
            declare.sql_flow(
                campaign_progress_rows,
                "outreach.PublicityEvent",
                _progress_touch,
                "outreach.PublicityEvent",
                "outreach.OutreachCampaign",
                sums=True,
            ),
            TARGETS,
            "Progress of the outreach campaigns started this year toward their goals: venues "
            "of the goal's kind covered (each venue once per campaign, at its first visit), "
            "events held or people educated by the week's end / the sum of those campaigns' "
            "targets. Credited to each campaign's lead unit.",
            tile=False,
        ),
    )


# --- the period report: rows 16-20 -----------------------------------------------------------

# the report names the first four; the other venues of the "seven intos" are parts of all
_VENUES = [
    ("enterprise", _("Publicity in enterprises"), ""),
    ("school", _("Publicity in schools"), ""),
    ("community", _("Publicity in communities"), ""),
    ("key_date", _("Key-date campaigns"), ""),
    ("village", _("Publicity in villages"), "outreach.events"),
    ("family", _("Publicity in families"), "outreach.events"),
    ("workplace", _("Publicity in workplaces"), "outreach.events"),
    ("station", _("Publicity at stations"), "outreach.events"),
]
_ASSISTANCE = [
    ("medical_escort", _("Sick people escorted to hospital")),
    ("reunited", _("Lost elders and children reunited")),
    ("lost_property", _("Lost property returned")),
    ("exam_escort", _("Examinees escorted")),
    ("other", _("Other help")),
]


def commendations(period: Period, unit_id: int | None) -> QuerySet[Commendation]:
    """Commendations received in the period (``outreach.commendations.KIND``)."""
    rows = Commendation.objects.order_by().filter(received_on__range=(period.first, period.last))
    return of_unit(rows, unit_id)


def _commendation_counts(period: Period, unit_id: int | None) -> Counted:
    return Counted(
        {
            f"outreach.commendations.{row['kind']}": Decimal(row["n"])
            for row in commendations(period, unit_id).values("kind").annotate(n=Count("pk"))
        }
    )


def _commendation_records(name: str, period: Period, unit_id: int | None) -> QuerysetRecords:
    kind = name.rsplit(".", 1)[-1]
    return QuerysetRecords(
        commendations(period, unit_id).filter(kind=kind),
        "received_on",
        "unit_id",
        period.first,
        period.last,
    )


def _stations(period: Period, unit_id: int | None) -> QuerySet[LoveStation]:
    """The love stations in service at the period's end (what the metric counts)."""
    assert STATIONS.source is not None
    qs = STATIONS.source().filter(opened_on__lte=period.last)
    if unit_id is not None:
        qs = qs.filter(unit_id=unit_id)
    return qs.select_related("unit").order_by("opened_on", "pk")


def _paragraph(facts: Facts) -> str:
    return gettext(
        "Publicity went into enterprises %(enterprise)s times, schools %(school)s "
        "times and communities %(community)s times, with %(key_date)s key-date "
        "campaigns; %(consultations)s questions were answered and %(educated)s people "
        "educated at these events."
    ) % {
        "enterprise": facts.value("outreach.events.enterprise"),
        "school": facts.value("outreach.events.school"),
        "community": facts.value("outreach.events.community"),
        "key_date": facts.value("outreach.events.key_date"),
        "consultations": facts.value("outreach.consultations"),
        "educated": facts.value("outreach.people_educated"),
    }


def _records() -> list[Records]:
    return [
        records(
            "service",
            _("Commendations"),
            Commendation,
            "received_on unit.name kind giver",
            giver=_("From"),
        ),
        records(
            "service",
            _("Assistance to the public"),
            AssistanceEvent,
            "occurred_at unit.name kind location",
        ),
        records(
            "service",
            _("Love stations"),
            LoveStation,
            "name unit.name opened_on location",
            rows=_stations,
        ),
        records(
            "publicity",
            _("Publicity events"),
            PublicityEvent,
            "held_on unit.name venue_kind venue_name topic audience consultations",
            venue_kind=_("Venue kind"),
            venue_name=_("Venue"),
            consultations=_("Consultations"),
        ),
    ]


def _figures() -> list[Figure]:
    times = pgettext_lazy("counted", "times")
    events = pgettext_lazy("counted", "events")
    return [
        figures.count(
            16,
            "outreach.banners",
            "service",
            _("Commendation banners received"),
            pgettext_lazy("counted", "banners"),
            C("outreach.commendations.banner"),
        ),
        figures.count(17, "outreach.assistance", "service", _("Assistance to the public"), times),
        *[
            figures.count(
                17,
                f"outreach.assistance.{kind}",
                "service",
                label,
                times,
                f"outreach.assistance_by_kind.{kind}",
                part_of="outreach.assistance",
            )
            for kind, label in _ASSISTANCE
        ],
        figures.count(
            18,
            "outreach.love_stations",
            "service",
            _("Love stations in service at the end of the period"),
            pgettext_lazy("counted", "stations"),
            stock=True,
        ),
        *[
            figures.count(
                19,
                f"outreach.events.{kind}",
                "publicity",
                label,
                events,
                f"outreach.events_by_venue.{kind}",
                part_of=part_of,
            )
            for kind, label, part_of in _VENUES
        ],
        figures.count(19, "outreach.events", "publicity", _("Publicity events in all"), events),
        figures.count(
            20,
            "outreach.consultations",
            "publicity",
            _("Consultations at publicity events"),
            pgettext_lazy("counted", "person-times"),
        ),
        figures.count(
            20,
            "outreach.people_educated",
            "publicity",
            _("People educated at publicity events"),
            pgettext_lazy("counted", "people"),
        ),
    ]


def register_report_figures() -> None:
    """The outreach figures of the period report, the commendations counted behind one,
    their lists and the publicity paragraph."""
    register_report(
        *_figures(),
        counts=[Counts(("outreach.commendations.",), _commendation_counts, _commendation_records)],
        records=_records(),
        paragraphs={"publicity": _paragraph},
    )
