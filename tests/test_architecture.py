"""The house rules: the core knows no domain, role sets are named once, the tasks keep their
names, and the core learns of units and officers only through the registered organisation."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from importlinter import configuration
from importlinter.application import use_cases

from brigade.celery import app as celery_app
from brigade.core import roles, scope

ROOT = Path(__file__).resolve().parent.parent
APP_CODE = ["brigade", "hazards", "incidents", "petitions", "outreach"]


def _python_files() -> list[Path]:
    return [
        path
        for package in APP_CODE
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    ]


def test_the_import_contract_is_kept():
    """pyproject.toml's [tool.importlinter]: the core imports no domain, the apps stand on
    the duty domain, which stands on the core, and no package has an import cycle."""
    configuration.configure()
    options = use_cases.read_user_options(str(ROOT / "pyproject.toml"))
    contracts = {contract["id"]: contract for contract in options.contracts_options}
    assert {"core-knows-no-domain", "layers", "no-cycles"} <= set(contracts)
    core = contracts["core-knows-no-domain"]
    assert core["source_modules"] == ["brigade.core"]
    assert {"brigade.duty", "hazards", "incidents", "petitions", "outreach"} <= set(
        core["forbidden_modules"]
    )
    use_cases._register_built_in_contract_types()
    report = use_cases.create_report(options, cache_dir=None)
    checks = list(report.get_contracts_and_checks())
    assert len(checks) == len(contracts)
    broken = [contract.name for contract, check in checks if not check.kept]
    assert broken == []


def _role_sets_built_outside_roles_module() -> list[str]:
    found = []
    for path in _python_files():
        if path == ROOT / "brigade" / "core" / "roles.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "frozenset"
                and "Role." in ast.unparse(node)
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_role_sets_are_named_once_in_the_core():
    assert _role_sets_built_outside_roles_module() == []
    assert {"commander", "admin"} == roles.STAFF
    assert {"officer", "commander", "admin"} == roles.DUTY
    assert {"officer", "commander"} == roles.ON_ROAD
    assert {"clerk", "commander", "admin"} == roles.DESK
    assert {"officer", "clerk", "commander", "admin"} == roles.EVERYONE


@pytest.mark.parametrize(
    "name",
    [
        "brigade.tasks.post_coverage_task",
        "brigade.tasks.recompute_all_task",
        "brigade.tasks.recompute_dirty_task",
        "brigade.tasks.close_week_task",
        "brigade.tasks.prune_idempotency_keys_task",
        "brigade.tasks.send_reminders_task",
        "brigade.tasks.escalate_overdue_task",
    ],
)
def test_celery_tasks_keep_the_names_the_beat_schedule_uses(settings, name):
    assert name in celery_app.tasks
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled <= set(celery_app.tasks)


def test_without_an_organisation_the_core_says_so(monkeypatch, django_user_model, db):
    """The core asks the registered organisation who a user is; unset, it fails loudly."""
    monkeypatch.setattr(scope, "_organisation", [])
    user = django_user_model.objects.create_user("nobody")
    with pytest.raises(ImproperlyConfigured):
        scope.scope_of(user)
