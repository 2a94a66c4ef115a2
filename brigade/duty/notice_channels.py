"""What the duty domain tells the notices' channels: each unit's name and the address of
its group robot (``Unit.robot_webhook_url``, set in the admin), read in one query."""

from __future__ import annotations

from brigade.core.names import shown_name
from brigade.core.notices.channels import UnitInfo, units


def unit_info(unit_ids: set[int]) -> dict[int, UnitInfo]:
    """unit id → its name (in the active language) and robot address: one query."""
    from brigade.duty.models import Unit

    return {
        pk: UnitInfo(name=shown_name(name, name_en), robot_webhook_url=url or "")
        for pk, name, name_en, url in Unit.objects.filter(pk__in=unit_ids).values_list(
            "pk", "name", "name_en", "robot_webhook_url"
        )
    }


def register_channels() -> None:
    units.register(unit_info)
