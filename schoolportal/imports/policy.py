"""Who may see and change pupil imports."""

from flask import abort

from schoolportal.core.models import ROLE_ADMIN
from schoolportal.imports.models import EdexmlImport, PupilImport


def own_pupil_import_or_404(user, key):
    """An upload this admin checked; 404 for anyone else's, and for guessed keys."""
    found = None
    if user.role == ROLE_ADMIN and key:
        found = PupilImport.get_or_none(
            (PupilImport.key == key[:64]) & (PupilImport.uploaded_by == user))
    if found is None:
        abort(404)
    return found


def own_edexml_import_or_404(user, key):
    """An EDEXML upload this admin checked; 404 for anyone else's, and for guessed keys."""
    found = None
    if user.role == ROLE_ADMIN and key:
        found = EdexmlImport.get_or_none(
            (EdexmlImport.key == key[:64]) & (EdexmlImport.uploaded_by == user))
    if found is None:
        abort(404)
    return found


# How a user reaches one object of each type (the authorization walk covers them all).
FINDERS = {
    "pupil_import": (PupilImport, own_pupil_import_or_404),
    "edexml_import": (EdexmlImport, own_edexml_import_or_404),
}
