"""Every write of the hazards app: reporting, the rectification workflow, photos, the
key-vehicle register and its import, facility works. One module per record; callers use
the names re-exported here (``from hazards import services``)."""

from hazards.services.facility_works import facility_work_save
from hazards.services.hazards import (
    EDITABLE_FIELDS,
    MAX_PHOTOS,
    default_deadline,
    hazard_add_photos,
    hazard_add_photos_returning,
    hazard_assign,
    hazard_fail_check,
    hazard_mark_duplicate,
    hazard_rectify,
    hazard_reject,
    hazard_report,
    hazard_start,
    hazard_update,
    hazard_verify,
)
from hazards.services.key_vehicle_import import (
    KEY_VEHICLE_COLUMNS,
    KEY_VEHICLE_REQUIRED,
    KIND_ALIASES,
    MAX_IMPORT_ROWS,
    REASON_ALIASES,
    key_vehicles_import,
    normalise_plate,
    parse_day,
)
from hazards.services.key_vehicles import key_vehicle_clear

__all__ = [
    "EDITABLE_FIELDS",
    "KEY_VEHICLE_COLUMNS",
    "KEY_VEHICLE_REQUIRED",
    "KIND_ALIASES",
    "MAX_IMPORT_ROWS",
    "MAX_PHOTOS",
    "REASON_ALIASES",
    "default_deadline",
    "facility_work_save",
    "hazard_add_photos",
    "hazard_add_photos_returning",
    "hazard_assign",
    "hazard_fail_check",
    "hazard_mark_duplicate",
    "hazard_rectify",
    "hazard_reject",
    "hazard_report",
    "hazard_start",
    "hazard_update",
    "hazard_verify",
    "key_vehicle_clear",
    "key_vehicles_import",
    "normalise_plate",
    "parse_day",
]
