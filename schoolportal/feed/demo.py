"""The feed's demo content: posts in every group and school-wide, reactions, a newsletter PDF.

Seeded once: when the demo already has posts, nothing is added. The posts are marked as
notified and digested, so seeding sends no mail.
"""

import io
from datetime import timedelta

from schoolportal.core import media, richtext
from schoolportal.core.models import GroupStaff, Guardianship, Pupil, User, utcnow
from schoolportal.feed import posts
from schoolportal.feed.models import Comment, Post, PostAttachment, PostRead

NEWSLETTER_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R"
    b"/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
    b"4 0 obj<</Length 58>>stream\nBT /F1 24 Tf 72 760 Td (Nieuwsbrief OBS De Regenboog) Tj ET\n"
    b"endstream endobj\n5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december")
SCHOOL_POSTS = [
    ("newsletter", "Nieuwsbrief {month}", True, False,
     "Beste ouders en verzorgers,\n\nIn de bijlage vind je de nieuwsbrief van {month}. "
     "Een paar dingen vast:\n\n- De data van deze maand staan in de **jaarkalender**.\n"
     "- De *gevonden voorwerpen* liggen tot vrijdag in de hal.\n- Denk aan kleding voor "
     "buiten: we gaan elke dag naar buiten.\n\nMet vriendelijke groet,\n"
     "Marieke Hoekstra, directeur"),
    ("message", "Studiedag vrijdag: alle leerlingen vrij", False, True,
     "Vrijdag hebben de leerkrachten een studiedag. **Alle leerlingen zijn die dag vrij.** "
     "De BSO is open zoals gewoonlijk."),
]
GROUP_POSTS = [
    ("report", "Wat hebben we deze week gedaan?",
     "Deze week werkten we over de **herfst**. We zochten kastanjes en maakten er een "
     "tentoonstelling van.\n\nVolgende week lezen we *De kleine rups Rupsje Nooitgenoeg*."),
    ("message", "Gymschoenen mee",
     "Willen jullie maandag de gymschoenen meegeven? Graag met naam erin."),
    ("article", "Rekenen met de weegschaal",
     "Hoe zwaar is een appel? We wogen van alles en schreven het op in een tabel:\n\n"
     "| Wat | Gewicht |\n|---|---|\n| Appel | 150 gram |\n| Boek | 400 gram |"),
]
# Two parents, then the teacher answers (in that order).
REACTIONS = ["Wat leuk om te lezen, dank je wel!", "Mijn kind vertelde er thuis enthousiast over.",
             "Fijn om te horen! Volgende week mogen de kastanjes mee naar huis."]


def seed(today):
    """Add the demo posts, reactions and attachment, unless there are posts already."""
    if Post.select().exists():
        return
    now = utcnow()
    director = User.by_email("directie@example.org")
    if director is None:
        return
    for age, (kind, title, pinned, urgent, body) in enumerate(SCHOOL_POSTS):
        published = now - timedelta(days=age * 3 + 1)
        month = MONTHS[published.month - 1]  # the newsletter of the month it came out in
        post = _post(director, None, kind, title.format(month=month),
                     body.format(month=month), published, pinned=pinned, urgent=urgent)
        if kind == "newsletter":
            stored = media.store(posts.MEDIA_AREA, io.BytesIO(NEWSLETTER_PDF),
                                 f"Nieuwsbrief {month}.pdf")
            PostAttachment.create(post=post, file_name=stored.name, mimetype=stored.mimetype,
                                  size=stored.size, download_name=stored.download_name)
    for staffing in GroupStaff.select(GroupStaff, User).join(User):
        for index, (kind, title, body) in enumerate(GROUP_POSTS):
            # At least a day old, so that its reactions (hours later) are in the past too.
            published = now - timedelta(days=index * 2 + 1, hours=staffing.group_id)
            post = _post(staffing.staff, staffing.group_id, kind, title, body, published)
            if index == 0:
                _reactions(post, staffing.staff, published)


def _post(author, group_id, kind, title, body, published_at, pinned=False, urgent=False):
    """One published post that has already been announced."""
    return Post.create(author=author, group=group_id, kind=kind, title=title, body=body,
                       body_html=richtext.to_html(body), pinned=pinned, urgent=urgent,
                       published_at=published_at, notified_at=published_at,
                       digested_at=published_at, created_at=published_at)


def _reactions(post, teacher, published_at):
    """Two parents of the group react, the teacher answers; a few parents have read it."""
    parents = list(User.select(User).join(Guardianship, on=(Guardianship.guardian == User.id))
                   .join(Pupil).where((Pupil.group == post.group_id)
                                      & User.password_hash.is_null(False))
                   .order_by(User.id).distinct().limit(6))
    writers = parents[:2] + [teacher]
    Comment.insert_many([
        {"post": post.id, "author": writer.id, "body": text,
         "created_at": published_at + timedelta(hours=n + 1)}
        for n, (writer, text) in enumerate(zip(writers, REACTIONS, strict=False))]).execute()
    PostRead.insert_many([{"post": post.id, "user": p.id, "read_at": published_at}
                          for p in parents[1:] + [teacher]]).on_conflict_ignore().execute()
