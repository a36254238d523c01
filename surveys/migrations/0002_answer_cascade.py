"""Answers are deleted by the database with their response (ON DELETE CASCADE).

Django's delete collector runs as the request and cannot see other people's answers (row-level
security), so it could not delete them itself; the database's referential action can. Its own
migration because Django creates the foreign key at the end of 0001.
"""

from django.db import migrations

ANSWER_CASCADE = migrations.RunSQL(
    sql="""
    DO $$
    DECLARE name text;
    BEGIN
      SELECT conname INTO name FROM pg_constraint
       WHERE conrelid = 'surveys_answer'::regclass AND contype = 'f'
         AND confrelid = 'surveys_response'::regclass;
      EXECUTE format('ALTER TABLE surveys_answer DROP CONSTRAINT %I', name);
      ALTER TABLE surveys_answer ADD CONSTRAINT surveys_answer_response_cascade FOREIGN KEY (response_id)
        REFERENCES surveys_response (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;
    END $$;
    """,
    reverse_sql=migrations.RunSQL.noop,
)


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]

    operations = [ANSWER_CASCADE]
