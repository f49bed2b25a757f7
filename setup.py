"""The build step pyproject.toml cannot say: compile the translation catalogs into the wheel.

`pip install .` builds a wheel; without the compiled .mo catalogs a production install would
show English. The catalogs are written into the build folder only (the source tree keeps its
.po files; `make translations` compiles them in place for development).
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithCatalogs(build_py):
    """build_py, then messages.po -> messages.mo for every language, next to the package."""

    def run(self):
        """Copy the package as usual, then compile each catalog into the build folder."""
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        super().run()
        source = Path(__file__).resolve().parent / "schoolportal" / "translations"
        for po in sorted(source.glob("*/LC_MESSAGES/messages.po")):
            target = Path(self.build_lib) / po.relative_to(source.parent.parent)
            target = target.with_suffix(".mo")
            target.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as infile:
                catalog = read_po(infile)
            with target.open("wb") as outfile:
                write_mo(outfile, catalog)


setup(cmdclass={"build_py": BuildWithCatalogs})
