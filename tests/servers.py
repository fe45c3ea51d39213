"""Real servers for tests that need them: gunicorn on loopback, and a way to reach
PostgreSQL and Redis that skips by hand without them but fails in CI (CI=true)."""

import contextlib
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import psycopg
import pytest
import redis

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://root@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


def require(what, check):
    """Run `check`; without the server, skip by hand and fail in CI."""
    try:
        check()
    except Exception as error:
        message = f"needs {what} ({error.__class__.__name__}: {error})"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@contextlib.contextmanager
def fresh_database(label):
    """A new PostgreSQL database on the shared server, and an emptied test Redis; dropped after.

    Skips by hand without either server, fails in CI.
    """
    require("PostgreSQL", lambda: psycopg.connect(POSTGRES_URL, connect_timeout=3).close())
    require("Redis", lambda: redis.Redis.from_url(REDIS_URL, socket_timeout=3).ping())
    name = f"blog_{label}_{secrets.token_hex(4)}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    redis.Redis.from_url(REDIS_URL).flushdb()
    try:
        yield POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def production_env(database_url, tmp_path, **extra):
    """The README's production environment, but plain HTTP on loopback with no TLS proxy."""
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "CACHE_URL": REDIS_URL,
        "STATIC_ROOT": str(tmp_path / "static"),
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "BEHIND_TLS_PROXY": "false",
        **extra,
    }


def sqlite_env(tmp_path, **extra):
    """The production environment on a fresh SQLite file and the default cache (no CACHE_URL):
    the embedded setup, with no server at all."""
    env = production_env(f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path, **extra)
    del env["CACHE_URL"]
    return env


def prepare(env):
    """Migrate, load the seed and collect static files, as a deployment does."""
    manage(env, "migrate", "--noinput")
    manage(env, "loaddata", "seed")
    manage(env, "collectstatic", "--noinput")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )


class Gunicorn:
    """The blog under gunicorn with the repo's gunicorn.conf.py, on a free loopback port."""

    def __init__(self, env):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # A file, not a pipe: under load gunicorn logs more than a pipe holds, and a full pipe
        # that nobody reads stops every process that writes to it, shutdown included.
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "-c", "gunicorn.conf.py"],
            cwd=ROOT,
            env={**env, "BIND": f"127.0.0.1:{self.port}"},
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=2)
                return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not start: {self.errors()}")

    def errors(self):
        """What gunicorn wrote to stderr so far."""
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A person with a cookie jar, speaking HTTP to a server (redirects are not followed)."""

    def __init__(self):
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect
        )

    def get(self, url):
        return self._open(urllib.request.Request(url))

    def post(self, url, data, referer):
        """Send the form on `referer` as a browser does: with its token if it has one (only a
        signed-in person's forms do), and saying which page sent it."""
        token = self.csrf_token(referer)
        if token is not None:
            data = {**data, "csrfmiddlewaretoken": token}
        body = urllib.parse.urlencode(data, doseq=True).encode()
        origin = "{0.scheme}://{0.netloc}".format(urllib.parse.urlsplit(referer))
        headers = {"Referer": referer, "Origin": origin, "Sec-Fetch-Site": "same-origin"}
        return self._open(urllib.request.Request(url, data=body, headers=headers))

    def csrf_token(self, page_url):
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.get(page_url).text)
        return found and found[1]

    def _open(self, request):
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:  # 3xx and 4xx arrive here
            response = error
        response.text = response.read().decode()
        return response
