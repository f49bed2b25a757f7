"""Every table the migrations create: the core's models and each area's `models.py`.

`make migration` and the migration test compare the migrations with MODELS; nothing else
needs this module (an area imports the models it uses directly). The areas come from
`schoolportal.areas.AREAS`, the one list of areas, so a new area's tables cannot be left
out by forgetting a second list.

It lives next to `areas.py`, not in `core/`, for the same reason: it imports every area,
and the core imports none (the layout's import contract).
"""

from schoolportal.areas import AREAS, part
from schoolportal.core.models import all_models

AREA_MODELS = tuple(module for module in (part(area, "models") for area in AREAS) if module)

MODELS = all_models()
