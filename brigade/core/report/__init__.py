"""The period report: every figure of the brigade's half-year report (seed/FIGURES.md), for
any period and scope, computed from the records, each with a link to the records behind it.

- ``period``: the period a commander picks (validation, presets, the previous period);
- ``figures``: which figures the report has, by FIGURES.md row, and where each comes from;
- ``compute``: the numbers, in a fixed number of grouped queries;
- ``exports``: the Excel workbook and the Word work summary;
- ``views`` / ``api``: the page and ``/api/v1/dashboard/report/``.
"""
