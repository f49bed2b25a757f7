"""Every table the migrations create: the core's models and each area's `models.py`.

`make migration` and the migration test compare the migrations with MODELS; nothing else
needs this module (an area imports the models it uses directly).
"""

from schoolportal.absence import models as absence_models
from schoolportal.access import models as access_models
from schoolportal.admin import models as admin_models
from schoolportal.albums import models as albums_models
from schoolportal.auth import models as auth_models
from schoolportal.calendar import models as calendar_models
from schoolportal.coaching import models as coaching_models
from schoolportal.consent import models as consent_models
from schoolportal.conversations import models as conversations_models
from schoolportal.core.models import all_models
from schoolportal.family_data import models as family_data_models
from schoolportal.feed import models as feed_models
from schoolportal.imports import models as imports_models
from schoolportal.invitations import models as invitations_models
from schoolportal.meetings import models as meetings_models
from schoolportal.notifications import models as notifications_models
from schoolportal.onboarding import models as onboarding_models
from schoolportal.rollover import models as rollover_models
from schoolportal.slips import models as slips_models
from schoolportal.surveys import models as surveys_models

AREA_MODELS = (
    invitations_models, onboarding_models, imports_models, access_models, feed_models,
    absence_models, meetings_models, calendar_models, surveys_models, conversations_models,
    albums_models, consent_models, coaching_models, family_data_models, rollover_models,
    notifications_models, admin_models, auth_models, slips_models,
)


MODELS = all_models()
