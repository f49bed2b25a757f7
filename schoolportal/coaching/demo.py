"""The demo school's coaching footage: two generated photos, destroyed in a few weeks.

The files have fixed names (made from a natural key), so seeding twice adds nothing twice.
"""

import hashlib
from datetime import timedelta

from PIL import Image, ImageDraw

from schoolportal.coaching.models import COACHING_AREA, CoachingMedia
from schoolportal.core import images, media
from schoolportal.core.models import Group, User, school_year_of

EXAMPLES = [  # (key, title, purpose, teacher, group, days until destruction, colours)
    ("instructie", "Instructie rekenen, groep 5", "Coachingstraject meester Ahmed: "
     "heldere instructie (coach: directie).", "meester.ahmed@example.org", "Groep 5", 21,
     ("#dbe9f6", "#2a6f97")),
    ("kring", "Kringgesprek groep 1/2A", "Onderzoek Jonge Kind: beurten verdelen in de kring.",
     "juf.sanne@example.org", "Groep 1/2A", 35, ("#fdebd3", "#b5651d")),
]


def _picture(background, accent):
    """A small generated 'classroom' picture: a board, desks and heads, as WebP bytes."""
    image = Image.new("RGB", (480, 320), background)
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 30, 440, 120), fill="#2f4f3f")  # the board
    for x in range(60, 440, 100):
        draw.rectangle((x, 220, x + 70, 260), fill=accent)  # desks
        draw.ellipse((x + 20, 180, x + 50, 210), fill="#6b4f3a")  # heads
    return images.encode_webp(image)


def seed(today):
    """Add the example footage with destruction dates a few weeks ahead."""
    this_year = Group.select().where(Group.school_year == school_year_of(today))
    groups = {g.name: g.id for g in this_year}
    for key, title, purpose, email, group, days, colours in EXAMPLES:
        name = hashlib.sha256(f"demo-coaching-{key}".encode()).hexdigest()[:32] + ".webp"
        path = media.path_of(COACHING_AREA, name)
        data = _picture(*colours)
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        teacher = User.by_email(email)
        CoachingMedia.insert(
            title=title, purpose=purpose, group=groups.get(group), file_name=name,
            mimetype="image/webp", size=len(data), download_name=f"{key}.webp",
            destroy_on=today + timedelta(days=days),
            scheduled_by=teacher.id if teacher else None).on_conflict_ignore().execute()
