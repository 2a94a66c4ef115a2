"""Tables of the KPI engine. They hold numbers keyed by metric, week and unit id, never a
domain record: the engine knows the brigade's records only through the registry."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from brigade.core.fields import TEXT_LENGTH, LimitedTextField, length_limit, user_ref

BRIGADE_SCOPE = "brigade"


class KpiWeek(models.Model):
    """One ISO week (local time): the grid that rollups are laid on."""

    monday = models.DateField(_("week starting"), unique=True)
    key = models.CharField(_("week"), max_length=8, unique=True)
    ytd_year = models.PositiveSmallIntegerField(_("year-to-date year"))

    class Meta:
        ordering = ["monday"]
        verbose_name = _("KPI week")
        verbose_name_plural = _("KPI weeks")

    def __str__(self) -> str:
        return self.key


class KpiFlow(models.Model):
    """What happened in one week for one metric side and unit, by cohort year."""

    class Side(models.TextChoices):
        NUMERATOR = "n", _("numerator")
        DENOMINATOR = "d", _("denominator")

    class Kind(models.TextChoices):
        RATE = "r", _("rate")
        SUM = "s", _("sum")

    metric = models.CharField(_("metric"), max_length=100)
    side = models.CharField(_("side"), max_length=1, choices=Side.choices)
    kind = models.CharField(_("kind"), max_length=1, choices=Kind.choices)
    # the metric's window (ytd / cumulative / week), so rollups need no metric list
    win = models.CharField(_("window"), max_length=10)
    week = models.DateField(_("week starting"))
    cohort_year = models.PositiveSmallIntegerField(_("cohort year"))
    unit_id = models.BigIntegerField(_("unit"))
    amount = models.DecimalField(_("amount"), max_digits=20, decimal_places=4)
    rule_version = models.PositiveSmallIntegerField(_("rule version"), default=1)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("KPI weekly flow")
        verbose_name_plural = _("KPI weekly flows")
        indexes = [
            models.Index(fields=["week", "unit_id"], name="kpiflow_week_unit"),
            models.Index(fields=["metric", "unit_id", "week"], name="kpiflow_metric_unit_week"),
        ]
        constraints = [
            # one row per flow: two recomputes that both wrote their rows would double it
            models.UniqueConstraint(
                fields=["metric", "side", "week", "cohort_year", "unit_id"], name="kpiflow_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric}/{self.side} {self.week} unit {self.unit_id}: {self.amount}"


class KpiFigure(models.Model):
    """A metric's figure for one week and scope: live (rollup) or published."""

    metric = models.CharField(_("metric"), max_length=100)
    week = models.DateField(_("week starting"))
    scope = models.CharField(_("scope"), max_length=20)
    unit_id = models.BigIntegerField(_("unit"), null=True, blank=True)
    numerator = models.DecimalField(_("numerator"), max_digits=20, decimal_places=4)
    denominator = models.DecimalField(
        _("denominator"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    value = models.DecimalField(_("value"), max_digits=24, decimal_places=6, null=True)
    rule_version = models.PositiveSmallIntegerField(_("rule version"), default=1)

    class Meta:
        abstract = True
        constraints = [
            # one figure per metric, week and scope (kpirollup_once, kpipublished_once)
            models.UniqueConstraint(fields=["metric", "week", "scope"], name="%(class)s_once"),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.week} {self.scope}: {self.value}"


class KpiRollup(KpiFigure):
    """A metric's figure as of the end of one week, for the brigade or one unit."""

    computed_at = models.DateTimeField(_("computed at"))

    class Meta(KpiFigure.Meta):
        verbose_name = _("KPI rollup")
        verbose_name_plural = _("KPI rollups")
        indexes = [models.Index(fields=["week", "scope"], name="kpirollup_week_scope")]


class KpiPublished(KpiFigure):
    """The figures of a closed week as published: frozen, never recomputed."""

    published_at = models.DateTimeField(_("published at"))

    class Meta(KpiFigure.Meta):
        verbose_name = _("published KPI")
        verbose_name_plural = _("published KPIs")

    def __str__(self) -> str:
        return f"{super().__str__()} (published)"


class KpiDirty(models.Model):
    """A week and unit whose records of one model changed since their flows were computed
    (one row per change: the same week may be marked more than once).

    ``model`` ("app.Model") says which metrics the change can move: those that read that
    model; empty means every metric. A mark whose recompute failed is set aside
    (``failed_at`` and ``error``): reported, not claimed again until a new change to the
    same week, unit and model, or a full recompute that covers it.
    """

    week = models.DateField(_("week starting"))
    unit_id = models.BigIntegerField(_("unit"))
    model = models.CharField(_("changed model"), max_length=100, blank=True, default="")
    marked_at = models.DateTimeField(_("marked at"), auto_now_add=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    error = LimitedTextField(_("error"), blank=True, default="")

    class Meta:
        verbose_name = _("KPI week to recompute")
        verbose_name_plural = _("KPI weeks to recompute")
        # No uniqueness: a change inserts its own row, so a recompute that claims (deletes)
        # the marks it sees never takes the mark of a change not yet committed.
        indexes = [models.Index(fields=["week", "unit_id"], name="kpidirty_week_unit")]
        constraints = [length_limit("error", TEXT_LENGTH)]

    def __str__(self) -> str:
        return f"{self.week} unit {self.unit_id} {self.model}".rstrip()


class KpiRun(models.Model):
    """One recompute, as the dashboard follows it: queued, running (done of total), done."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    since = models.DateField(_("from week"), null=True, blank=True)
    done = models.PositiveIntegerField(_("steps done"), default=0)
    total = models.PositiveIntegerField(_("steps"), default=0)
    requested_by = user_ref(_("requested by"))
    error = LimitedTextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("KPI recompute")
        verbose_name_plural = _("KPI recomputes")
        constraints = [
            length_limit("error", TEXT_LENGTH),
            # requests made while a run waits join it (runs.start): one queued run at most
            models.UniqueConstraint(
                fields=["state"], condition=models.Q(state="queued"), name="kpirun_one_queued"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.id} {self.state}"
