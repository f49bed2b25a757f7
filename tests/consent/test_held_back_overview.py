"""The consent overview lists every photo parents do not see, also for "not chosen"."""

from schoolportal.albums.models import Photo
from schoolportal.core.models import Group
from tests.consent.test_consent import PAGE, _photos_of_sem, _read


def test_a_photo_of_a_child_without_a_choice_is_listed_as_held_back(app, teacher, parent):
    tagged, untagged = _photos_of_sem(app)  # Sem has no choice yet: no consent
    group = _read(app, lambda: Group.get(Group.name == "Groep 1/2A").id)
    html = teacher.get(f"{PAGE}/groep/{group}").get_data(as_text=True)
    held = html[html.index("Foto's die ouders niet zien"):]
    held = held[:held.index("</section>")]
    assert f'href="/albums/photos/{tagged}"' in held and "Sem bij de eikels" in held
    assert f"/albums/photos/{untagged}" not in held
    assert "Er wordt geen foto van deze groep tegengehouden" not in held
    # The album, which parents open, holds back the same photo.
    album = _read(app, lambda: Photo.get_by_id(tagged).album_id)
    assert f"/albums/photos/{tagged}" not in parent.get(f"/albums/{album}").get_data(as_text=True)
