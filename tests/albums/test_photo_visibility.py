"""The consent rule in authz: parents see a photo only when every tagged child has consent."""

from schoolportal.albums import policy
from schoolportal.albums.models import Album, Photo, PhotoTag
from schoolportal.consent.models import Consent, ConsentCategory
from schoolportal.core.models import Group, Pupil, User


def test_held_back_until_every_tagged_child_has_consent_for_the_space(app, db_ctx):
    """Untagged photos show; a tag without consent hides; school-wide albums need "school"."""
    g = Group.get(Group.name == "Groep 5")
    p = Pupil.get(Pupil.pupil_number == "RB-1002")
    parent = User.by_email("ouder.bakker@example.org")
    a = Album.create(title="x", group=g)
    ph = Photo.create(album=a, stem="a"*32, widths="320", width=320, height=200)
    ph2 = Photo.create(album=a, stem="b"*32, widths="320", width=320, height=200)
    PhotoTag.create(photo=ph, pupil=p)
    assert [x.id for x in policy.visible_photos(parent)] == [ph2.id]
    c = ConsentCategory.create(key="g", name="g", space="group")
    Consent.create(pupil=p, category=c, granted=True)
    assert sorted(x.id for x in policy.visible_photos(parent)) == [ph.id, ph2.id]
    other = User.by_email("ouder.jansen@example.org")
    assert list(policy.visible_photos(other)) == []
    a2 = Album.create(title="s", group=None)
    ph3 = Photo.create(album=a2, stem="c"*32, widths="320", width=320, height=200)
    PhotoTag.create(photo=ph3, pupil=p)
    assert ph3.id not in [x.id for x in policy.visible_photos(other)]
    staff = User.by_email("meester.ahmed@example.org")
    assert len(list(policy.visible_photos(staff))) == 3
