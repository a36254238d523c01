"""Nothing to measure (issue 7, roll-up rules): a stored flag on objectives and key results.

Existing rows are marked one level deep, per organisation under its tenant setting (the tables
force row-level security): a key result fed by aligned children with no counted child of
positive weight, and an objective with no input of positive weight. Deeper chains settle at the
next change below them (the roll-up recomputes every ancestor).
"""

from django.db import migrations, models

KEY_RESULTS = """
UPDATE okrs_keyresult kr SET measured = false
WHERE kr.progress_source = 'aligned_children' AND NOT EXISTS (
    SELECT 1 FROM okrs_alignment a
    WHERE a.parent_key_result_id = kr.id AND a.counts_toward_progress AND a.weight > 0)
"""
OBJECTIVES = """
UPDATE okrs_objective o SET measured = false
WHERE NOT (
    (o.progress_source IN ('key_results', 'both') AND EXISTS (
        SELECT 1 FROM okrs_keyresult kr WHERE kr.objective_id = o.id AND kr.weight > 0 AND kr.measured))
    OR (o.progress_source IN ('aligned_children', 'both') AND EXISTS (
        SELECT 1 FROM okrs_alignment a
        WHERE a.parent_objective_id = o.id AND a.counts_toward_progress AND a.weight > 0)))
"""


def mark_unmeasured(apps, schema_editor):  # type: ignore[no-untyped-def]
    Organisation = apps.get_model("organisations", "Organisation")
    with schema_editor.connection.cursor() as cursor:
        for organisation_id in Organisation.objects.values_list("id", flat=True):
            cursor.execute("SELECT set_config('app.organisation_id', %s, true)", [str(organisation_id)])
            cursor.execute(KEY_RESULTS)
            cursor.execute(OBJECTIVES)
        cursor.execute("SELECT set_config('app.organisation_id', '', true)")


class Migration(migrations.Migration):
    dependencies = [
        ("okrs", "0001_initial"),
        ("organisations", "0002_organisation_pace_at_risk_margin_and_more"),
    ]

    operations = [
        migrations.AddField(model_name="keyresult", name="measured", field=models.BooleanField(default=True)),
        migrations.AddField(model_name="objective", name="measured", field=models.BooleanField(default=True)),
        migrations.RunPython(mark_unmeasured, migrations.RunPython.noop),
    ]
