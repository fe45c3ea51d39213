"""Floods are refused with 429 and Retry-After, per client address, and the address comes from
X-Forwarded-For only when a trusted proxy sent the request."""

from importlib import reload

import pytest
from conftest import comment_number, html, post_comment
from django.urls import clear_url_caches

from comments.models import Comment


@pytest.fixture
def limit(settings):
    settings.COMMENTS_PER_MINUTE = 3
    return 3


def test_more_comments_a_minute_than_allowed_get_429_with_retry_after(client, seed, limit):
    for i in range(limit):
        assert post_comment(client, seed, body=f"comment {i}").status_code == 302
    response = post_comment(client, seed, body="one too many")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "Too many comments at once" in html(response).find("h1").get_text()
    assert not Comment.objects.filter(body="one too many").exists()


def test_the_limit_is_per_client_address(client, seed, limit):
    for i in range(limit):
        post_comment(client, seed, body=f"mine {i}", REMOTE_ADDR="198.51.100.1")
    other = client.post(
        f"/comments/post/{seed.pk}/", {"body": "someone else"}, REMOTE_ADDR="198.51.100.2"
    )
    assert other.status_code == 302


def test_the_address_behind_a_trusted_proxy_is_the_forwarded_one(client, seed):
    client.post(
        f"/comments/post/{seed.pk}/",
        {"body": "via the proxy"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.9, 127.0.0.1",
    )
    assert comment_number(16).ip_address == "203.0.113.9"


def test_a_forwarded_header_from_anyone_else_is_ignored(client, seed):
    client.post(
        f"/comments/post/{seed.pk}/",
        {"body": "claims to be proxied"},
        REMOTE_ADDR="198.51.100.7",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert comment_number(16).ip_address == "198.51.100.7"


def test_a_client_cannot_escape_the_limit_by_forging_the_header(client, seed, limit):
    for i in range(limit + 1):
        response = client.post(
            f"/comments/post/{seed.pk}/",
            {"body": f"forged {i}"},
            REMOTE_ADDR="198.51.100.7",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{i}",
        )
    assert response.status_code == 429


def test_the_admin_can_move_off_the_well_known_address(client, db, settings):
    import config.urls

    settings.ADMIN_URL = "owner-desk/"
    try:
        reload(config.urls)
        clear_url_caches()
        assert client.get("/admin/").status_code == 404
        assert client.get("/owner-desk/").status_code == 302
    finally:
        settings.ADMIN_URL = "admin/"
        reload(config.urls)
        clear_url_caches()
