"""The hazards app's routes in the permission matrix (tests/test_permission_matrix.py)."""

from __future__ import annotations

from typing import Any

from tests.matrix import ADMIN_ONLY, DUTY, SIGNED_IN, STAFF, Rule, api, crud, page

NS = "hazards-api"

MATRIX: dict[str, Rule] = {
    f"{NS}:api-root": api(get=SIGNED_IN),
    # hazards: anyone reports (an officer on the road, a clerk from a ticket); officers
    # rectify; commanders assign, verify, send back, reject, mark duplicates
    f"{NS}:hazard-list": api(get=SIGNED_IN, post=SIGNED_IN),
    f"{NS}:hazard-detail": api("hazard", get=SIGNED_IN, put=STAFF, patch=STAFF, delete=ADMIN_ONLY),
    f"{NS}:hazard-assign": api("hazard", post=STAFF),
    f"{NS}:hazard-start": api("hazard", post=DUTY),
    f"{NS}:hazard-rectify": api("hazard", post=DUTY),
    f"{NS}:hazard-photos": api("hazard", post=DUTY),
    f"{NS}:hazard-verify": api("hazard", post=STAFF),
    f"{NS}:hazard-fail-check": api("hazard", post=STAFF),
    f"{NS}:hazard-reject": api("hazard", post=STAFF),
    f"{NS}:hazard-duplicate": api("hazard", post=STAFF),
    f"{NS}:key-vehicle-list": api(get=SIGNED_IN, post=STAFF),
    f"{NS}:key-vehicle-detail": api(
        "key-vehicle", get=SIGNED_IN, put=STAFF, patch=STAFF, delete=ADMIN_ONLY
    ),
    f"{NS}:key-vehicle-clear": api("key-vehicle", post=STAFF),
    f"{NS}:key-vehicle-import": api(post=STAFF),
    **crud("facility-work", read=SIGNED_IN, write=STAFF, namespace=NS),
    # pages
    "hazards:hazard_list": page(get=SIGNED_IN),
    "hazards:hazard_report": page(get=SIGNED_IN, post=SIGNED_IN),
    "hazards:hazard_map": page(get=SIGNED_IN),
    "hazards:hazard_map_points": page(get=SIGNED_IN),
    "hazards:hazard_detail": page("hazard", get=SIGNED_IN),
    "hazards:hazard_edit": page("hazard", get=STAFF, post=STAFF),
    "hazards:hazard_assign": page("hazard", post=STAFF),
    "hazards:hazard_start": page("hazard", post=DUTY),
    "hazards:hazard_rectify": page("hazard", post=DUTY),
    "hazards:hazard_photos": page("hazard", post=DUTY),
    "hazards:hazard_verify": page("hazard", post=STAFF),
    "hazards:hazard_fail_check": page("hazard", post=STAFF),
    "hazards:hazard_reject": page("hazard", post=STAFF),
    "hazards:hazard_duplicate": page("hazard", post=STAFF),
    "hazards:hazardphoto_file": page("hazard-photo", get=SIGNED_IN),
    "hazards:keyvehicle_list": page(get=SIGNED_IN),
    "hazards:keyvehicle_import": page(get=STAFF, post=STAFF),
    "hazards:keyvehicle_detail": page("key-vehicle", get=SIGNED_IN),
    "hazards:keyvehicle_clear": page("key-vehicle", post=STAFF),
    "hazards:facilitywork_list": page(get=SIGNED_IN),
    "hazards:facilitywork_create": page(get=STAFF, post=STAFF),
}


def objects(unit: Any, officer: Any, users: dict[str, Any]) -> dict[str, Any]:
    """The records this app's routes name, made in ``unit`` (for ``officer``)."""
    from hazards.choices import PhotoStage
    from hazards.models import HazardPhoto
    from tests.hazards.factories import (
        FacilityWorkFactory,
        KeyVehicleFactory,
        RectifiedHazardFactory,
        photo,
    )

    hazard = RectifiedHazardFactory(unit=unit, reported_by=officer)
    return {
        "hazard": hazard,
        "hazard-photo": HazardPhoto.objects.create(
            hazard=hazard, stage=PhotoStage.BEFORE, file=photo()
        ),
        "key-vehicle": KeyVehicleFactory(unit=unit),
        "facility-work": FacilityWorkFactory(unit=unit),
    }
