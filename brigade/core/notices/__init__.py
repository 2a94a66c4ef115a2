"""Notices: the product speaks first (issue 18).

The core knows no domain record: each app registers the items it has due (``registry``),
the core collects them for a day (``items``), sends reminders before a deadline
(``reminders``) and escalates what stays overdue (``escalations``); every notice is one
row per person and reason, inserted once (``send``), then handed to the channels
(``dispatch``).
"""
