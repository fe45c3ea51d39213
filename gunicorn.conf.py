"""Read by `gunicorn config.wsgi` from the working directory: the settings are in the package
(config/gunicorn.py), so that an installed copy has them too."""

from config.gunicorn import *  # noqa: F403
