"""The README's table of demo users says where each lands after signing in: ``GET /`` for
a user of that role redirects there, so the README cannot drift from the app again."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from brigade.core.roles import Role
from brigade.duty.choices import UnitKind
from tests.brigade.factories import OfficerFactory, UnitFactory, UserFactory

README = Path(__file__).resolve().parent.parent / "README.md"


def landing_table() -> dict[str, str]:
    """The README's table whose header has "lands on": role (the group named first in the
    "role (group)" column) → the first path written in code in its "lands on" column."""
    lines = README.read_text(encoding="utf-8").splitlines()
    header = next(i for i, line in enumerate(lines) if "| lands on |" in line)
    columns = [cell.strip() for cell in lines[header].strip("|").split("|")]
    role_col, landing_col = columns.index("role (group)"), columns.index("lands on")
    table = {}
    for line in lines[header + 2 :]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        role = re.split(r"[\s,(]", cells[role_col], maxsplit=1)[0]
        path = re.search(r"`(/[^`]*)`", cells[landing_col])
        assert path, f"no path in the README's landing of {role}: {cells[landing_col]}"
        table[role] = path.group(1)
    return table


def test_the_table_names_every_role():
    assert set(landing_table()) == set(Role.values)


@pytest.mark.parametrize("role", Role.values)
def test_each_role_lands_where_the_readme_says(client, db, role):
    unit = UnitFactory(code="sq1", name="一中队")
    hq = UnitFactory(code="hq", name="大队部", kind=UnitKind.HEADQUARTERS)
    user = UserFactory(username=f"readme-{role}", roles=[role])
    if role == Role.ADMIN:
        user.is_staff = user.is_superuser = True
        user.save()
    else:
        OfficerFactory(user=user, unit=hq if role == Role.COMMANDER else unit)
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == landing_table()[role]
    # and the page it lands on answers
    assert client.get(response.headers["Location"]).status_code == 200
