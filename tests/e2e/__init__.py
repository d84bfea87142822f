"""End-to-end tests: the real server in Debian's Chromium (see conftest.py)."""
