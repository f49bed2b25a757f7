"""How `make test` shares the tests between the pytest-xdist workers.

Browser tests (modules `*_browser.py`) run in two groups (half of the modules each, by a
stable hash of the module's name), each group on one worker with one Chromium; load tests
(`*_load.py`) together on one worker, so their threads do not compete with another load
test; a few modules whose tests must follow each other stay together too.
Every other test is its own unit of work, handed to whichever worker is free; the largest
units go first, so the browser tests start at once while the other workers take the rest
(`make test` runs three workers on two cores: a worker waiting for Chromium or a server
leaves its core to another).

xdist's own `--dist loadgroup` marks groups by renaming test ids, which pytest 9.2 no longer
allows, so groups are found here by module name instead.
"""

import zlib

from xdist.scheduler import LoadScopeScheduling

BROWSER_GROUPS = 2  # two of the workers, each with its own Chromium: the longest groups
GROUPS = (
    ("_browser.py", "browser"),
    ("_load.py", "load"),
    ("tests/core/test_test_setup.py", "test-setup"),  # its tests check each other
)


def group_of(nodeid):
    """The work unit of a test: its group's name, or the test itself."""
    module = nodeid.split("::", 1)[0]
    for ending, group in GROUPS:
        if module.endswith(ending):
            if group == "browser":  # a stable half of the browser modules each
                return f"browser-{zlib.crc32(module.encode()) % BROWSER_GROUPS}"
            return group
    return nodeid


class GroupScheduling(LoadScopeScheduling):
    """LoadScopeScheduling with the groups above as its scopes."""

    def _split_scope(self, nodeid):
        """The scope of a test id (see `group_of`)."""
        return group_of(nodeid)
