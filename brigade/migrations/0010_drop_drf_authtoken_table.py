# API tokens moved from DRF's authtoken app (one fixed key per user, kept in clear) to
# django-rest-knox (knox_authtoken: a hash per sign-in, expiring). The old keys cannot be
# carried over (knox keeps only a hash of a token it issued itself): their table is dropped,
# and clients sign in again.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("brigade", "0009_kpi_error_length"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [
        migrations.RunSQL(
            "DROP TABLE IF EXISTS authtoken_token",
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
