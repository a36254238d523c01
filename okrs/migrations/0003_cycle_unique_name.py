"""Cycle names unique per organisation (issue 7: "Q4 FY2026" twice in every picker).

Existing duplicates are renamed first ("Q4 FY2026 (2)"), per organisation under its tenant
setting (the table forces row-level security)."""

import django.db.models.functions.text
from django.db import migrations, models

RENAME = """
UPDATE okrs_cycle c SET name = left(c.name, 70) || ' (' || d.n || ')'
FROM (
    SELECT id, row_number() OVER (PARTITION BY organisation_id, lower(name) ORDER BY start_date, id) AS n
    FROM okrs_cycle
) d
WHERE d.id = c.id AND d.n > 1
"""


def rename_duplicates(apps, schema_editor):  # type: ignore[no-untyped-def]
    Organisation = apps.get_model("organisations", "Organisation")
    with schema_editor.connection.cursor() as cursor:
        for organisation_id in Organisation.objects.values_list("id", flat=True):
            cursor.execute("SELECT set_config('app.organisation_id', %s, true)", [str(organisation_id)])
            cursor.execute(RENAME)
        cursor.execute("SELECT set_config('app.organisation_id', '', true)")


class Migration(migrations.Migration):
    dependencies = [
        ("okrs", "0002_measured"),
        ("organisations", "0003_quarter_rules"),
    ]

    operations = [
        migrations.RunPython(rename_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="cycle",
            constraint=models.UniqueConstraint(
                models.F("organisation"), django.db.models.functions.text.Lower("name"), name="cycle_unique_name"
            ),
        ),
    ]
