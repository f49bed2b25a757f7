"""The albums' demo content: an album per demo group and a school-wide one, with drawn photos.

The photos are drawn with Pillow (sky, sun, trees, shapes and a caption; no people), go
through the real pipeline, and are tagged with a few pupils each, one "nobody
recognisable" and one left unchecked. Consent is seeded by the consent feature, not here:
whichever tagged child lacks it makes that photo held back from parents.
Seeded once: when the demo already has albums, nothing is added.
"""

import io
import random

from PIL import Image, ImageDraw, ImageFont

from schoolportal.albums import processing, service
from schoolportal.albums.models import Album, Photo
from schoolportal.core.models import Group, GroupStaff, Pupil, User
from schoolportal.feed.models import Post

GROUP_ALBUMS = {
    "Groep 1/2A": ("Herfstwandeling in het bos", "Wat hebben we deze week gedaan?",
                   ["Kastanjes zoeken", "Paddenstoelen!", "De grote eik", "Bladeren vangen",
                    "Terug naar school", "Onze herfsttafel"]),
    "Groep 5": ("Excursie naar de kinderboerderij", None,
                ["De geitjes", "Eieren rapen", "Picknick", "De moestuin", "Het kippenhok"]),
    "Groep 8": ("Kamp op Texel", None,
                ["Fietsen naar de vuurtoren", "Strandvlaggen", "Bonte avond", "Zandkastelen",
                 "De zeehondjes", "Laatste avond"]),
}
SCHOOL_ALBUM = ("Koningsspelen", ["Opening op het plein", "Zaklopen", "Het ontbijt",
                                  "Touwtrekken", "De medailles"])
LEAVES = [(60, 140, 60), (90, 160, 70), (200, 120, 40), (220, 170, 50), (150, 60, 40)]
PALETTES = [((120, 180, 235), (250, 210, 120), (70, 140, 70)),
            ((250, 170, 110), (255, 230, 150), (150, 110, 60)),
            ((150, 200, 240), (255, 255, 255), (60, 120, 170)),
            ((190, 220, 250), (245, 190, 60), (110, 170, 80))]


def seed(today):
    """Add the demo albums (once), each with drawn photos, tags and captions."""
    if Album.select().exists():
        return
    rng = random.Random(2026)
    for group in Group.select().where(Group.name.in_(list(GROUP_ALBUMS))):
        title, post_title, captions = GROUP_ALBUMS[group.name]
        teacher = _teacher_of(group)
        post = Post.get_or_none((Post.group == group) & (Post.title == post_title))
        album = service.create_album(teacher, title, group=group, post=post,
                                    description=f"Foto's van {group.name}.")
        pupils = list(Pupil.select().where(Pupil.group == group).order_by(Pupil.id))
        _fill(album, teacher, captions, pupils, rng)
    admin = User.select().where(User.role == "admin").order_by(User.id).first()
    album = service.create_album(admin, SCHOOL_ALBUM[0], description="De hele school deed mee.")
    _fill(album, admin, SCHOOL_ALBUM[1], list(Pupil.select().order_by(Pupil.id)), rng)


def _teacher_of(group):
    """The first teacher of a group (or an admin when it has none)."""
    row = GroupStaff.select().where(GroupStaff.group == group).first()
    if row is not None:
        return row.staff
    return User.select().where(User.role == "admin").order_by(User.id).first()


def _fill(album, uploader, captions, pupils, rng):
    """Add drawn photos: the last unchecked, the one before "nobody", the others tagged."""
    uploads = [(f"IMG_{n:04d}.jpg", io.BytesIO(drawn_photo(caption, n, rng)))
               for n, caption in enumerate(captions)]
    waiting = service.add_photos(album, uploader, uploads)
    processing.process_now(waiting)  # the demo starts with its photos ready
    added = [Photo.get_by_id(photo.id) for photo in waiting]
    for n, (photo, caption) in enumerate(zip(added, captions, strict=True)):
        service.set_caption(photo, caption)
        if n == len(added) - 1:
            continue  # left "not checked" (shown to parents, marked for staff)
        tagged = [] if n == len(added) - 2 or not pupils else rng.sample(
            pupils, k=min(len(pupils), rng.randint(1, 3)))
        service.set_tags(photo, uploader, [pupil.id for pupil in tagged])
    service.set_cover(album, added[0])


def drawn_photo(caption, number, rng, size=(1600, 1200)):
    """A believable, person-free picture as JPEG bytes: a landscape with shapes and a caption."""
    sky, sun, ground = PALETTES[number % len(PALETTES)]
    width, height = size
    image = Image.new("RGB", size, sky)
    draw = ImageDraw.Draw(image)
    horizon = int(height * rng.uniform(0.55, 0.7))
    for y in range(horizon):  # sky getting lighter towards the horizon
        shade = y / horizon
        draw.line([(0, y), (width, y)], fill=tuple(int(c + (255 - c) * shade * 0.5) for c in sky))
    draw.rectangle((0, horizon, width, height), fill=ground)
    sun_x = rng.randint(150, width - 150)
    draw.ellipse((sun_x - 90, 80, sun_x + 90, 260), fill=sun)
    for _ in range(rng.randint(3, 7)):  # trees, bushes, tents, balls
        x, size_ = rng.randint(0, width), rng.randint(60, 180)
        colour = rng.choice(LEAVES)
        draw.rectangle((x - 12, horizon - size_, x + 12, horizon + 20), fill=(110, 80, 50))
        draw.ellipse((x - size_, horizon - 2 * size_, x + size_, horizon - size_ // 2), fill=colour)
    for _ in range(rng.randint(2, 5)):  # balls and crates on the grass
        x, y = rng.randint(0, width), rng.randint(horizon + 60, height - 200)
        r = rng.randint(20, 50)
        shape = draw.ellipse if rng.random() < 0.5 else draw.rectangle
        shape((x - r, y - r, x + r, y + r), fill=rng.choice(LEAVES[2:] + [(200, 40, 60)]))
    font = ImageFont.load_default(size=64)
    draw.rectangle((0, height - 130, width, height), fill=(0, 0, 0))
    draw.text((40, height - 105), caption, font=font, fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88)
    return buffer.getvalue()
