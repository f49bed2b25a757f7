"""Draw the app icons (PNG) from static/icons/app-icon.svg with Chromium; run after changing it.

    .venv/bin/python scripts/make_icons.py

The SVG fills its square and keeps its drawing inside the middle 80 %, so the same picture
serves as a normal and as a maskable icon (Android cuts maskable icons to a circle or squircle).
"""

from pathlib import Path

from playwright.sync_api import sync_playwright

ICONS = Path(__file__).resolve().parent.parent / "static" / "icons"
SIZES = {"icon-192.png": 192, "icon-512.png": 512, "apple-touch-icon.png": 180}


def main():
    """Render each size and write it next to the SVG."""
    svg = (ICONS / "app-icon.svg").read_text()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=["--no-sandbox"])
        for name, size in SIZES.items():
            page = browser.new_page(viewport={"width": size, "height": size})
            page.set_content(f"<style>*{{margin:0}}svg{{display:block;width:{size}px;"
                             f"height:{size}px}}</style>{svg}")
            page.screenshot(path=str(ICONS / name), omit_background=False)
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
