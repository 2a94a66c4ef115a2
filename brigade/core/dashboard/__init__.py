"""The commanders' dashboard: KPI tiles, trends and the per-unit table (pages in
``views.py``, the API in ``brigade/core/dashboard/api.py``), over ``brigade.core.kpi.read``."""
