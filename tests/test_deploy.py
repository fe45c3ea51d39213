"""What an operator relies on: a clean `check --deploy`, a refusal to start on unsafe settings,
security headers, /healthz, and static files with far-future caching."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import POST_URL, html
from django.core.management import call_command
from servers import Gunicorn, prepare, sqlite_env

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "blog.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://blog.example.org",
}


def run(*command, **env):
    environment = {k: v for k, v in os.environ.items() if k not in PRODUCTION}
    environment.update(env)
    return subprocess.run(
        command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )


def test_check_deploy_is_clean_under_the_documented_production_environment():
    result = run(
        sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    "env, says",
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"SECRET_KEY": "short-and-weak"}, "SECRET_KEY"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS"),
    ],
)
def test_gunicorn_refuses_to_start_on_unsafe_settings_with_one_clear_line(env, says):
    settings = {**PRODUCTION, **env}
    if not settings["SECRET_KEY"]:
        del settings["SECRET_KEY"]
    result = run(
        sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", "127.0.0.1:0", **settings
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"Refusing to start with DEBUG off: {says}")
    assert "Traceback" not in result.stderr


def test_any_wsgi_server_gets_the_same_refusal():
    result = run(sys.executable, "-c", "import config.wsgi", DEBUG="false", ALLOWED_HOSTS="x")
    assert result.returncode == 1
    assert result.stderr.startswith("Refusing to start with DEBUG off: SECRET_KEY")


def test_pages_carry_a_content_security_policy_that_forbids_inline_script(client, seed):
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in client.get(POST_URL)["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert policy["default-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"


def test_no_page_has_inline_script_or_style_that_the_policy_would_block(client, admin_client, seed):
    for page in (client.get("/"), client.get(POST_URL), admin_client.get("/admin/")):
        document = html(page)
        # JSON-LD is a data block, which no browser runs, and the policy lets be.
        assert all(
            script.get("src") or script.get("type") == "application/ld+json"
            for script in document.find_all("script")
        )
        assert not document.find_all("style")
        assert not document.select("[style]")
        assert not [
            tag for tag in document.find_all(True) if any(a.startswith("on") for a in tag.attrs)
        ]


def test_security_headers(client, seed):
    response = client.get(POST_URL, secure=True)
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_plain_http_is_redirected_to_https_unless_the_proxy_says_it_was(client, seed, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get(POST_URL)
    assert response.status_code == 301
    assert response["Location"] == f"https://testserver{POST_URL}"
    assert client.get(POST_URL, headers={"X-Forwarded-Proto": "https"}).status_code == 200


def test_healthz_answers_ok_and_is_never_cached(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True  # a load balancer probes over plain HTTP
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]


def test_healthz_names_a_failing_cache_and_keeps_the_server_in_service(client, db, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 200  # pages are served, rendered afresh
    assert response.json()["database"] == "ok"
    assert response.json()["cache"].startswith("failing")


def test_healthz_names_a_failing_database():
    script = (
        "import django; django.setup(); from django.test import Client; "
        "r = Client().get('/healthz'); print(r.status_code, r.content.decode())"
    )
    result = run(
        sys.executable,
        "-c",
        script,
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL="postgres://nobody@127.0.0.1:1/none",
        CACHE_URL="locmemcache://",  # the default cache lives in the database: keep it apart
        ALLOWED_HOSTS="testserver",
    )
    assert result.stdout.startswith('503 {"database": "failing: OperationalError", "cache": "ok"}')


def test_collected_static_files_have_hashed_names_and_far_future_caching(
    client, seed, settings, tmp_path
):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    stylesheet = html(client.get(POST_URL)).find("link", rel="stylesheet")["href"]
    assert stylesheet.startswith("/static/blog/blog.") and stylesheet != "/static/blog/blog.css"
    from django.test import Client

    fresh = Client()  # WhiteNoise reads STATIC_ROOT when the middleware starts
    response = fresh.get(stylesheet, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert "max-age=315360000" in response["Cache-Control"]
    assert "immutable" in response["Cache-Control"]
    assert response["Content-Encoding"] == "gzip"


def test_gunicorn_opens_no_control_socket_that_another_instance_could_take_over(tmp_path):
    # gunicorn 25+ opens a control socket at one path per user ($HOME/.gunicorn/gunicorn.ctl):
    # a second instance on the machine silently takes it over from the first.
    env = sqlite_env(tmp_path, HOME=str(tmp_path))
    env.pop("XDG_RUNTIME_DIR", None)
    prepare(env)
    servers = [Gunicorn(env), Gunicorn(env)]
    try:
        assert not list(tmp_path.glob("**/*.ctl"))
    finally:
        for server in servers:
            server.stop()
