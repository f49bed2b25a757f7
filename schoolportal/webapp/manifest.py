"""The web app manifest: how the portal looks once a parent adds it to the home screen."""

THEME_COLOUR = "#1f5f8b"  # --brand in app.css: the status bar in the installed app
BACKGROUND_COLOUR = "#f3f5f7"  # --page: the splash screen while the first page loads
SCHOOL_PREFIXES = ("OBS ", "CBS ", "RKBS ", "PCBS ", "IKC ", "Basisschool ")
SHORT_NAME_LENGTH = 12  # what a phone shows under an icon without cutting it off


def short_name(school_name):
    """The name under the icon: the school's name without its kind, if that fits."""
    name = school_name
    for prefix in SCHOOL_PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix):]
            break
    return name if len(name) <= SHORT_NAME_LENGTH else name[:SHORT_NAME_LENGTH].rstrip()


def manifest(school_name, url_for):
    """The manifest as a dict (served as JSON); Dutch, like the portal by default."""
    icon = lambda name, size, purpose: {  # noqa: E731
        "src": url_for("static", filename=f"icons/{name}"), "sizes": f"{size}x{size}",
        "type": "image/png", "purpose": purpose}
    return {
        "name": school_name,
        "short_name": short_name(school_name),
        "description": f"Het ouderportaal van {school_name}: nieuws, foto's, ziekmelden, "
                       "gesprekken en de jaarkalender.",
        "lang": "nl",
        "dir": "ltr",
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            icon("icon-192.png", 192, "any"),
            icon("icon-512.png", 512, "any"),
            icon("icon-512.png", 512, "maskable"),
        ],
    }
