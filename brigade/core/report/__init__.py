"""The period report: every figure of the brigade's half-year report (seed/FIGURES.md), for
any period and scope, computed from the records, each with a link to the records behind it.

- ``period``: the period a commander picks (validation, presets, the previous period);
- ``figures``: the report's areas and the registry the apps fill from their ``kpis.py``:
  the figures, by FIGURES.md row, and where each comes from, the counts no metric has,
  the lists of records and the work summary's paragraphs;
- ``compute``: the numbers, in a fixed number of grouped queries;
- ``exports``: the Excel workbook and the Word work summary;
- ``views`` / ``api``: the page and ``/api/v1/dashboard/report/``.
"""
