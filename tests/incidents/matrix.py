"""The incidents app's routes in the permission matrix (tests/test_permission_matrix.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tests.matrix import ADMIN_ONLY, DUTY, SIGNED_IN, STAFF, Rule, api, page

NS = "incidents-api"
DESK = frozenset({"clerk", "commander", "admin"})

MATRIX: dict[str, Rule] = {
    f"{NS}:api-root": api(get=SIGNED_IN),
    f"{NS}:accident-list": api(get=SIGNED_IN, post=SIGNED_IN),
    f"{NS}:accident-detail": api(
        "accident", get=SIGNED_IN, put=SIGNED_IN, patch=SIGNED_IN, delete=ADMIN_ONLY
    ),
    f"{NS}:accident-documents": api("accident", post=SIGNED_IN),
    f"{NS}:accident-solve": api("hit-and-run", post=DUTY),
    # the parties' phone numbers, whole and logged: the desk only
    f"{NS}:accident-reveal": api("accident", post=DESK),
    # a sheet of accidents: the desk's work
    f"{NS}:accident-import": api(post=DESK),
    f"{NS}:fund-advance-list": api(get=SIGNED_IN, post=SIGNED_IN),
    # a request is changed by its requester (the world's is the officer's) or a clerk on
    # their behalf; anyone else in scope: 403 (four eyes)
    f"{NS}:fund-advance-detail": api(
        "advance",
        get=SIGNED_IN,
        put=SIGNED_IN,
        patch=SIGNED_IN,
        writers=frozenset({"officer", "clerk"}),
    ),
    f"{NS}:fund-advance-approve": api("advance", post=STAFF),
    f"{NS}:fund-advance-reject": api("advance", post=STAFF),
    f"{NS}:fund-advance-pay": api("approved-advance", post=DESK),
    f"{NS}:recovery-list": api(get=SIGNED_IN, post=DESK),
    f"{NS}:recovery-detail": api("recovery", get=SIGNED_IN),
    f"{NS}:ledger": api(get=SIGNED_IN),
    # black spots: commanders read them and open a hazard investigation from one
    f"{NS}:black-spot-list": api(get=STAFF),
    f"{NS}:black-spot-detail": api("black-spot", get=STAFF),
    f"{NS}:black-spot-open-hazard": api("black-spot", post=STAFF),
    # --- pages ---
    "incidents:accident_list": page(get=SIGNED_IN),
    "incidents:accident_create": page(get=SIGNED_IN, post=SIGNED_IN),
    "incidents:accident_quick_settlement": page(get=SIGNED_IN, post=SIGNED_IN),
    "incidents:accident_detail": page("accident", get=SIGNED_IN),
    "incidents:accident_edit": page("accident", get=SIGNED_IN, post=SIGNED_IN),
    "incidents:accidentparty_create": page("accident", post=SIGNED_IN),
    "incidents:accidentparty_detail": page("party", get=SIGNED_IN),
    "incidents:accidentparty_reveal": page("party", post=DESK),
    "incidents:accidentdocument_create": page("accident", post=SIGNED_IN),
    "incidents:accident_solve": page("hit-and-run", post=DUTY),
    "incidents:fundadvance_create": page("accident", get=SIGNED_IN, post=SIGNED_IN),
    "incidents:accidentdocument_file": page("document", get=SIGNED_IN),
    "incidents:accident_hit_and_run_list": page(get=SIGNED_IN),
    "incidents:fundadvance_list": page(get=SIGNED_IN),
    "incidents:ledger": page(get=SIGNED_IN),
    "incidents:fundadvance_detail": page("advance", get=SIGNED_IN),
    "incidents:fundadvance_approve": page("advance", post=STAFF),
    "incidents:fundadvance_reject": page("advance", post=STAFF),
    "incidents:fundadvance_pay": page("approved-advance", post=DESK),
    "incidents:recovery_create": page("paid-advance", post=DESK),
    "incidents:blackspot_list": page(get=STAFF),
    "incidents:blackspot_heat": page(get=STAFF),
    "incidents:blackspot_open_hazard": page("black-spot", post=STAFF),
}


def objects(unit: Any, officer: Any, users: dict[str, Any]) -> dict[str, Any]:
    """The records this app's routes name, made in ``unit`` (for ``officer``)."""
    from decimal import Decimal

    from django.core.files.base import ContentFile

    from incidents.choices import AdvanceStatus, Severity, SpotKind
    from incidents.models import (
        Accident,
        AccidentDocument,
        AccidentParty,
        BlackSpot,
        FundAdvance,
        Recovery,
    )

    now = timezone.now()
    accident = Accident.objects.create(
        unit=unit, road="花园路", occurred_at=now - dt.timedelta(days=1), recorded_by=officer.user
    )
    injury = Accident.objects.create(
        unit=unit,
        road="兴华路",
        severity=Severity.INJURY,
        hit_and_run=True,
        occurred_at=now - dt.timedelta(days=2),
    )
    document = AccidentDocument(accident=accident, title="责任认定书")
    document.file.save("scene.pdf", ContentFile(b"%PDF-1.4 test"), save=True)

    def advance(status: str, **extra: Any) -> FundAdvance:
        return FundAdvance.objects.create(
            accident=injury,
            beneficiary="伤者",
            payee="医院",
            purpose="rescue",
            amount=Decimal("1000.00"),
            status=status,
            requested_by=officer.user,
            **extra,
        )

    paid = advance(AdvanceStatus.PAID, paid_at=now - dt.timedelta(hours=1))
    return {
        "accident": accident,
        "party": AccidentParty.objects.create(accident=accident, name="李四", phone="13900001111"),
        "hit-and-run": injury,
        "document": document,
        "advance": advance(AdvanceStatus.REQUESTED),
        "approved-advance": advance(AdvanceStatus.APPROVED),
        "paid-advance": paid,
        "recovery": Recovery.objects.create(
            advance=paid, payer="肇事方", amount=Decimal("10.00"), received_on=timezone.localdate()
        ),
        "black-spot": BlackSpot.objects.create(
            unit=unit,
            kind=SpotKind.CELL,
            h3_cell=f"89319b9b{unit.pk:03x}ffff"[:15],
            window_from=timezone.localdate() - dt.timedelta(days=364),
            window_to=timezone.localdate(),
            accidents=3,
            injuries=3,
            latitude=Decimal("36.450000"),
            longitude=Decimal("115.980000"),
            name="东昌路",
        ),
    }
