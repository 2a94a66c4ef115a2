"""The KPI engine: apps declare metrics (``Metric``, ``Flow``) in their ``kpis.py`` and
``register`` them from ``AppConfig.ready()``; the engine computes weekly rollups in SQL."""

from brigade.core.kpi.expressions import HoursBetween
from brigade.core.kpi.registry import Flow, Metric, register, registry, rows_sql

__all__ = ["Flow", "HoursBetween", "Metric", "register", "registry", "rows_sql"]
