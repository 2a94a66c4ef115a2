"""``manage.py seed_demo``: the demo brigade of the 2022 half-year report, idempotently.

Each app contributes its part as ``seed(demo)`` in its own ``demo`` module (the package
``brigade/duty/demo/``, then ``hazards/demo.py`` ...). Parts run in INSTALLED_APPS order, so
the brigade's units, officers and users exist (``demo.units``, ``demo.officers``) when the
other apps' parts run.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from brigade.core.kpi import engine as kpi_engine
from brigade.duty.demo import DemoContext, summary

SeedFunction = Callable[[DemoContext], None]


def demo_parts() -> list[tuple[str, SeedFunction]]:
    """``(app label, seed function)`` of every installed app that has a ``demo`` module."""
    parts = []
    for config in apps.get_app_configs():
        # an app names its demo module if it is not <app>/demo.py (the brigade's: duty's)
        module_name = getattr(config, "demo_module", f"{config.name}.demo")
        if importlib.util.find_spec(module_name) is None:
            continue
        module = importlib.import_module(module_name)
        if callable(getattr(module, "seed", None)):
            parts.append((config.label, module.seed))
    return parts


class Command(BaseCommand):
    help = (
        "Load the demo brigade (units, officers, posts, training, patrols of 2022-01..06, "
        "this week's shifts) and the demo users officer, clerk, commander and admin. "
        "Running it again changes nothing."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        demo = DemoContext(stdout=self.stdout)
        # All or nothing: a failing part leaves the database as it was. Change tracking
        # is paused for the bulk load, which ends with one full KPI recompute instead.
        with transaction.atomic(), kpi_engine.paused():
            for label, seed in demo_parts():
                self.stdout.write(f"Seeding {label} ...")
                seed(demo)
            self.stdout.write("Computing the KPIs ...")
            kpi_engine.recompute_all()
        counts = ", ".join(f"{count} {name}" for name, count in summary().items())
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {counts}."))
