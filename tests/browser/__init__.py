"""Browser tests: the real app on a live server, driven by Chromium through Playwright."""
