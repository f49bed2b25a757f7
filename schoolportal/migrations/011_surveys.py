"""Surveys with their questions, who answered and the answers; calls for help and sign-ups."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create the survey and help call tables."""

    @migrator.create_model
    class Survey(pw.Model):
        id = pw.AutoField()
        title = pw.CharField(max_length=200)
        description = pw.TextField(default='')
        school_wide = pw.BooleanField(default=False)
        anonymous = pw.BooleanField(default=False)
        per = pw.CharField(default='family', max_length=6, constraints=[pw.Check("per IN ('family','child')")])
        closes_at = pw.DateTimeField()
        published_at = pw.DateTimeField(null=True)
        reminded_at = pw.DateTimeField(null=True)
        created_by = pw.ForeignKeyField(column_name='created_by_id', field='id', model=migrator.orm['account'], null=True, on_delete='SET NULL')
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "survey"

    @migrator.create_model
    class SurveyGroup(pw.Model):
        id = pw.AutoField()
        survey = pw.ForeignKeyField(column_name='survey_id', field='id', model=migrator.orm['survey'], on_delete='CASCADE')
        group = pw.ForeignKeyField(column_name='group_id', field='id', model=migrator.orm['school_group'], on_delete='CASCADE')

        class Meta:
            table_name = "survey_group"
            indexes = [(('survey', 'group'), True)]

    @migrator.create_model
    class SurveyQuestion(pw.Model):
        id = pw.AutoField()
        survey = pw.ForeignKeyField(column_name='survey_id', field='id', model=migrator.orm['survey'], on_delete='CASCADE')
        position = pw.IntegerField(default=0)
        kind = pw.CharField(max_length=8, constraints=[pw.Check("kind IN ('single','multiple','yes_no','text','number')")])
        text = pw.CharField(max_length=500)
        required = pw.BooleanField(default=True)

        class Meta:
            table_name = "survey_question"

    @migrator.create_model
    class SurveyOption(pw.Model):
        id = pw.AutoField()
        question = pw.ForeignKeyField(column_name='question_id', field='id', model=migrator.orm['survey_question'], on_delete='CASCADE')
        position = pw.IntegerField(default=0)
        label = pw.CharField(max_length=200)

        class Meta:
            table_name = "survey_option"

    @migrator.create_model
    class SurveyRespondent(pw.Model):
        survey = pw.ForeignKeyField(column_name='survey_id', field='id', model=migrator.orm['survey'], on_delete='CASCADE')
        unit = pw.CharField(max_length=24)
        account = pw.ForeignKeyField(column_name='account_id', field='id', model=migrator.orm['account'], on_delete='CASCADE')
        pupil = pw.ForeignKeyField(column_name='pupil_id', field='id', model=migrator.orm['pupil'], null=True, on_delete='CASCADE')

        class Meta:
            table_name = "survey_respondent"
            primary_key = pw.CompositeKey('survey', 'unit')

    @migrator.create_model
    class SurveyResponse(pw.Model):
        id = pw.CharField(max_length=32, primary_key=True)
        survey = pw.ForeignKeyField(column_name='survey_id', field='id', model=migrator.orm['survey'], on_delete='CASCADE')
        unit = pw.CharField(max_length=24, null=True)
        account = pw.ForeignKeyField(column_name='account_id', field='id', model=migrator.orm['account'], null=True, on_delete='SET NULL')
        pupil = pw.ForeignKeyField(column_name='pupil_id', field='id', model=migrator.orm['pupil'], null=True, on_delete='SET NULL')
        answer_key_hash = pw.CharField(max_length=64, null=True, unique=True)
        updated_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "survey_response"
            indexes = [(('survey', 'unit'), True)]
            constraints = [
                pw.Check("answer_key_hash IS NULL OR (unit IS NULL AND account_id IS NULL "
                         "AND pupil_id IS NULL AND updated_at IS NULL)"),
                pw.Check("answer_key_hash IS NOT NULL OR unit IS NOT NULL"),
            ]

    @migrator.create_model
    class SurveyAnswer(pw.Model):
        id = pw.AutoField()
        response = pw.ForeignKeyField(column_name='response_id', field='id', model=migrator.orm['survey_response'], on_delete='CASCADE')
        question = pw.ForeignKeyField(column_name='question_id', field='id', model=migrator.orm['survey_question'], on_delete='CASCADE')
        option = pw.ForeignKeyField(column_name='option_id', field='id', model=migrator.orm['survey_option'], null=True, on_delete='CASCADE')
        yes = pw.BooleanField(null=True)
        number = pw.IntegerField(null=True)
        text = pw.TextField(null=True)

        class Meta:
            table_name = "survey_answer"

    @migrator.create_model
    class HelpCall(pw.Model):
        id = pw.AutoField()
        title = pw.CharField(max_length=200)
        description = pw.TextField(default='')
        group = pw.ForeignKeyField(column_name='group_id', field='id', model=migrator.orm['school_group'], null=True, on_delete='CASCADE')
        event_on = pw.DateField()
        places = pw.IntegerField(constraints=[pw.Check("places BETWEEN 1 AND 200")])
        taken = pw.IntegerField(default=0)
        reminded_at = pw.DateTimeField(null=True)
        created_by = pw.ForeignKeyField(column_name='created_by_id', field='id', model=migrator.orm['account'], null=True, on_delete='SET NULL')
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "help_call"
            constraints = [pw.Check("taken >= 0 AND taken <= places")]

    @migrator.create_model
    class HelpSignup(pw.Model):
        id = pw.AutoField()
        call = pw.ForeignKeyField(column_name='call_id', field='id', model=migrator.orm['help_call'], on_delete='CASCADE')
        parent = pw.ForeignKeyField(column_name='parent_id', field='id', model=migrator.orm['account'], on_delete='CASCADE')
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "help_signup"
            indexes = [(('call', 'parent'), True)]


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the tables this migration created, children first."""
    for table in ("help_signup", "help_call", "survey_answer", "survey_response",
                  "survey_respondent", "survey_option", "survey_question", "survey_group",
                  "survey"):
        migrator.remove_model(table)
