"""Fill the map cell of the accidents recorded before it was kept: one UPDATE per cell."""

from collections import defaultdict

import h3
from django.conf import settings
from django.db import migrations


def fill_cells(apps, schema_editor):
    model = apps.get_model("incidents", "Accident")
    by_cell = defaultdict(list)
    rows = model.objects.filter(latitude__isnull=False, longitude__isnull=False).values_list(
        "pk", "latitude", "longitude"
    )
    for pk, lat, lng in rows.iterator():
        by_cell[h3.latlng_to_cell(float(lat), float(lng), settings.H3_RESOLUTION)].append(pk)
    for cell, pks in by_cell.items():
        for start in range(0, len(pks), 5000):
            model.objects.filter(pk__in=pks[start : start + 5000]).update(h3_cell=cell)


class Migration(migrations.Migration):
    dependencies = [("incidents", "0005_accident_place_and_cell")]

    operations = [migrations.RunPython(fill_cells, migrations.RunPython.noop)]
