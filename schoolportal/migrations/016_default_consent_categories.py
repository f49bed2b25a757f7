"""The six photo-consent categories every school starts with (data only, no schema change).

Category names and descriptions are the school's own text: admins may rename, describe or
deactivate them later. Rows that exist already (same key) are left alone.
"""

from datetime import UTC, datetime

import peewee as pw
from peewee_migrate import Migrator

# (key, name, space, description): the common categories of Dutch primary schools.
DEFAULTS = [
    ("portal_group", "Besloten ouderportaal (groep)", "group",
     "Foto's in het fotoalbum van de groep, alleen te zien voor ouders en leerkrachten "
     "van die groep."),
    ("portal_school", "Besloten ouderportaal (hele school)", "school",
     "Foto's in schoolbrede albums, te zien voor alle ouders en medewerkers van de school."),
    ("website", "Schoolwebsite", None,
     "Foto's op de openbare website van de school."),
    ("social_media", "Social media van de school", None,
     "Foto's op de social-media-accounts van de school, zoals Facebook of Instagram."),
    ("newsletter", "Nieuwsbrief en schoolgids", None,
     "Foto's in de nieuwsbrief en de schoolgids."),
    ("press", "Pers (lokale krant)", None,
     "Foto's of filmpjes door de lokale krant of omroep, bijvoorbeeld bij een schoolfeest."),
]


def _table(database):
    """A minimal model of consent_category, bound to the database being migrated."""

    class ConsentCategory(pw.Model):
        key = pw.CharField()
        name = pw.CharField()
        description = pw.TextField()
        space = pw.CharField(null=True)
        position = pw.IntegerField()
        active = pw.BooleanField()
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "consent_category"

    ConsentCategory._meta.set_database(database)
    return ConsentCategory


def _insert_defaults(database):
    """Insert the defaults, skipping keys that are there already."""
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = [{"key": key, "name": name, "description": description, "space": space,
             "position": (index + 1) * 10, "active": True, "created_at": now}
            for index, (key, name, space, description) in enumerate(DEFAULTS)]
    table = _table(database)
    table.insert_many(rows).on_conflict_ignore().execute()


def _delete_defaults(database):
    """Remove the default categories (and, by cascade, the choices made for them)."""
    table = _table(database)
    table.delete().where(table.key.in_([key for key, *_ in DEFAULTS])).execute()


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Insert the default consent categories."""
    migrator.run(_insert_defaults, database)


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Delete the default consent categories."""
    migrator.run(_delete_defaults, database)
