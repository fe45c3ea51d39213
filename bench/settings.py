"""The blog's own settings, plus one trivial view: the floor Django and gunicorn cost."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
