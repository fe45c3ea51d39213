"""Production cookies: `__Host-` names for the session and CSRF cookies, Secure on every cookie
including the ones that delete, and a Permissions-Policy that turns off what the blog never uses."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import POST_URL, post_comment

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "blog.example.org",
}


def cookie_names(**env):
    environment = {k: v for k, v in os.environ.items() if k not in PRODUCTION}
    environment.update(env)
    script = (
        "from django.conf import settings; "
        "print(settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME)"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.split()


def test_production_cookies_are_named_host_only_and_a_laptop_s_are_not():
    # __Host- makes a browser refuse the cookie unless it is Secure, for / and no Domain: a
    # sibling subdomain or a plain-HTTP page cannot plant or overwrite it.
    assert cookie_names(**PRODUCTION) == ["__Host-sessionid", "__Host-csrftoken"]
    # Over plain HTTP (DEBUG) a __Host- cookie would be refused, so a laptop keeps the plain names.
    assert cookie_names(**{**PRODUCTION, "DEBUG": "true"}) == ["sessionid", "csrftoken"]


def test_the_csrf_cookie_is_host_only_and_secure(client, seed, settings):
    # The admin's login form carries a token (an anonymous reader's post page does not).
    response = client.get("/admin/login/")
    cookie = response.cookies["__Host-csrftoken"]
    assert cookie["secure"] and cookie["path"] == "/" and not cookie["domain"]


def test_logging_out_deletes_the_session_with_a_secure_cookie(admin_client, settings):
    response = admin_client.post("/admin/logout/")
    deletion = response.cookies["__Host-sessionid"]
    assert deletion.value == "" and deletion["max-age"] == 0
    assert deletion["secure"]


def test_forgetting_a_commenter_deletes_their_cookie_with_a_secure_cookie(client, seed):
    post_comment(client, seed, remember="on", body="Remember me, then do not.")
    deletion = post_comment(client, seed, body="Forget me now.").cookies["commenter"]
    assert deletion.value == "" and deletion["max-age"] == 0
    assert deletion["secure"]


@pytest.mark.parametrize("path", ["/", POST_URL, "/healthz"])
def test_every_response_turns_off_browser_features_the_blog_never_uses(client, seed, path):
    policy = client.get(path)["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy


def test_a_read_message_is_deleted_with_a_secure_cookie(client, seed, settings):
    settings.MODERATION_POLICY = "hold-all"
    post_comment(client, seed, body="Held, so the reader is told it awaits moderation.")
    deletion = client.get(POST_URL).cookies["messages"]
    assert deletion.value == "" and deletion["max-age"] == 0
    assert deletion["secure"]
