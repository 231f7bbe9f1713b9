#!/bin/sh
# The dashboard's screenshot in the README (docs/screenshots/dashboard.png), from the demo data, in a real browser:
# the dashboard journey test, asked to save its picture. Needs DATABASE_URL and REDIS_URL as for the tests.
set -e
cd "$(dirname "$0")/.."
SCREENSHOT_DIR="$(pwd)/docs/screenshots" .venv/bin/python -m pytest tests/e2e/test_dashboard_journey.py -q -p no:randomly "$@"
