"""The commanders' dashboard: KPI tiles, trends and the per-unit table (pages in
``views.py``, the API in ``brigade/api/dashboard.py``), over ``brigade.kpi.read``."""
