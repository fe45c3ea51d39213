"""gunicorn's settings. In a checkout, `gunicorn config.wsgi` reads them through gunicorn.conf.py
in the working directory; an installed copy names them: `gunicorn -c python:config.gunicorn
config.wsgi`.

Each value can be overridden on the command line or with the environment variables below.
"""

import multiprocessing
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from config.startup import refuse_unsafe_start  # noqa: E402

# Check in the master, before any worker starts: one clear line, not a worker boot loop.
refuse_unsafe_start()

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
timeout = 30
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, staggered, so that a slow leak never grows into an outage: every
# ~10,000 requests. Every 1,000 (a worker's fresh start every few seconds under load) cost up to
# a third of the throughput; preload_app, which would make each start a fork, measured no better
# than noise (README, "Performance").
max_requests = 10_000
max_requests_jitter = 1_000
accesslog = "-"
errorlog = "-"
# Trust X-Forwarded-* only from the reverse proxy in front (comma-separated addresses).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn 25+ opens a control socket (for gunicornc) at one path per user, which a second
# instance on the same machine silently takes over from the first; nothing here uses it.
control_socket_disable = True
