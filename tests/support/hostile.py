"""Hypothesis strategies for what comes from outside: text with markup, scripts and tricks."""

from html.parser import HTMLParser

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Pieces an attacker (or a careless spreadsheet) puts in a file or a post.
ATTACKS = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>",
    "javascript:alert(1)", "[klik](javascript:alert(1))", "<a href=\"javascript:x\">a</a>",
    "<iframe src=//evil.example>", "\"><script>x</script>", "=HYPERLINK(\"http://x\")",
    "';DROP TABLE pupil;--", "\x00", "\r\n", ";", ",", "\"", "\u202e", "👩‍👧", "Ã©", "\ufeff",
    "<style>*{}</style>", "[x]: javascript:alert(1)", "<!--", "&lt;script&gt;",
]

hostile_text = st.lists(st.one_of(st.sampled_from(ATTACKS), st.text(max_size=20)),
                        max_size=8).map("".join)

# What a form accepts (no control characters), always with at least one attack in it: the
# examples that reach the page are the ones that can show a leak.
_typable = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=20)
typed_attack = st.tuples(
    st.lists(st.one_of(st.sampled_from([a for a in ATTACKS if a != "\x00"]), _typable),
             max_size=5),
    st.sampled_from([a for a in ATTACKS if "<" in a or ":" in a]),
).map(lambda parts: "".join(parts[0]) + "\n\n" + parts[1] + " " + "".join(parts[0]))

# HTTP tests share the test's app between examples: nothing in them depends on a fresh one.
HTTP = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
FAST = settings(max_examples=200, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

DANGEROUS_TAGS = {"script", "img", "svg", "iframe", "style", "object", "embed", "link", "meta",
                  "base", "form", "math"}


URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href"}


class _Markup(HTMLParser):
    """Collects the elements and attributes a browser would really see."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag in DANGEROUS_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=>")
            scheme = "".join((value or "").split()).lower()
            if name in URL_ATTRIBUTES and scheme.startswith(("javascript:", "data:", "vbscript:")):
                self.found.append(f"<{tag} {name}={value}>")


def raw_markup_in(html, allowed=()):
    """The dangerous markup a browser would run or load in this HTML (not escaped text).

    `allowed` holds the page's own tags (e.g. its same-origin script files) to leave out.
    """
    for own in allowed:
        html = html.replace(own, "")
    parser = _Markup()
    parser.feed(html)
    parser.close()
    return parser.found
