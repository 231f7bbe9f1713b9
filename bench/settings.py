"""The production settings (config.settings) with the bench's URLs added (bench.urls).

Static file names are served as they are (no `collectstatic` manifest): the bench
serves no static file, and a page only looks its assets' names up.
"""

from config.settings import *  # noqa: F403
from config.settings import STORAGES

ROOT_URLCONF = "bench.urls"
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
