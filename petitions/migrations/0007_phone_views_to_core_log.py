"""The phone-number views of tickets move into the core's one log of personal data seen
whole (``brigade.RevealLog``), beside those of accident parties; their rows are copied
(who, when, from where, which ticket, its unit), then the old table goes."""

from django.db import migrations


def _ticket_type(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    kind, _ = ContentType.objects.get_or_create(app_label="petitions", model="ticket")
    return kind


def copy_into_log(apps, schema_editor):
    PhoneViewLog = apps.get_model("petitions", "PhoneViewLog")
    RevealLog = apps.get_model("brigade", "RevealLog")
    rows = PhoneViewLog.objects.select_related("ticket").order_by("pk")
    if not rows.exists():
        return
    kind = _ticket_type(apps)
    batch = []
    for row in rows.iterator(chunk_size=2000):
        batch.append(
            RevealLog(
                at=row.at,
                user_id=row.user_id,
                ip=row.ip,
                way="reveal",
                record_type=kind,
                record_id=row.ticket_id,
                record=row.ticket.number,
                unit_id=row.ticket.unit_id,
            )
        )
        if len(batch) >= 2000:
            RevealLog.objects.bulk_create(batch)
            batch = []
    RevealLog.objects.bulk_create(batch)


def copy_back(apps, schema_editor):
    """Reversed: the tickets' "show" rows go back to the old table (searches had none)."""
    PhoneViewLog = apps.get_model("petitions", "PhoneViewLog")
    RevealLog = apps.get_model("brigade", "RevealLog")
    Ticket = apps.get_model("petitions", "Ticket")
    kind = _ticket_type(apps)
    rows = RevealLog.objects.filter(record_type=kind, way="reveal")
    tickets = set(Ticket.objects.values_list("pk", flat=True))
    for row in rows.iterator():
        if row.record_id in tickets:
            view = PhoneViewLog.objects.create(
                ticket_id=row.record_id, user_id=row.user_id, ip=row.ip
            )
            # "at" is set on creation: put back the time of the view
            PhoneViewLog.objects.filter(pk=view.pk).update(at=row.at)
    rows.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0006_extension_decided_by_second_approver"),
        ("brigade", "0011_reveal_log"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(copy_into_log, copy_back),
        migrations.DeleteModel(
            name="PhoneViewLog",
        ),
    ]
