"""Floods are refused with 429 and Retry-After, per client address, and the address comes from
X-Forwarded-For only when a trusted proxy sent the request."""

import time
from importlib import reload

import pytest
from conftest import comment_form_data, comment_number, html, post_comment
from django.test import Client
from django.urls import clear_url_caches

from comments.models import Comment, Subscriber, ThreadMail


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


def post_from(client, post, address, body):
    """Post a comment as a client at `address`; the status of the answer."""
    data = comment_form_data(body=body)
    return client.post(f"/comments/post/{post.pk}/", data, REMOTE_ADDR=address).status_code


def test_addresses_of_one_ipv6_network_share_the_limit(client, seed, limit):
    # A /64 is one subscriber's: it may pick a new address of it for each comment.
    for i in range(limit):
        assert post_from(client, seed, f"2001:db8:1:2::{i + 1:x}", f"v6 {i}") == 302
    assert post_from(client, seed, "2001:db8:1:2:ffff::9", "v6 again") == 429
    assert post_from(client, seed, "2001:db8:1:3::1", "next door") == 302


def test_one_address_spelled_differently_is_still_one_sender(client, seed, limit):
    spellings = ["2001:db8::1", "2001:DB8::1", "2001:0db8:0:0:0:0:0:0001", "2001:db8:0:0::1"]
    for i, address in enumerate(spellings[:limit]):
        post_from(client, seed, address, f"spelled {i}")
    assert post_from(client, seed, spellings[-1], "spelled again") == 429
    for i in range(limit):
        post_from(client, seed, "192.0.2.1", f"v4 {i}")
    assert post_from(client, seed, "::ffff:192.0.2.1", "mapped") == 429


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


LOGIN = "/admin/login/?next=/admin/"


def log_in(client, password, address="198.51.100.20"):
    return client.post(
        LOGIN, {"username": "owner", "password": password, "next": "/admin/"}, REMOTE_ADDR=address
    )


@pytest.fixture
def owner(django_user_model):
    return django_user_model.objects.create_superuser("owner", "o@example.org", "the-right-one")


def test_admin_logins_are_locked_out_after_repeated_failures(client, owner):
    for _ in range(4):
        assert log_in(client, "wrong").status_code == 200  # the form again, with its error
    assert log_in(client, "wrong").status_code == 429  # the fifth failure locks the address
    locked = log_in(client, "the-right-one")
    assert locked.status_code == 429
    assert "Too many failed logins" in html(locked).find("h1").get_text()
    assert client.get("/admin/").status_code == 302  # still not logged in


def test_a_lockout_is_for_that_address_only(client, owner):
    for _ in range(5):
        log_in(client, "wrong")
    assert log_in(client, "the-right-one", address="198.51.100.21").status_code == 302


def test_failures_from_many_addresses_pause_the_username_longer_each_time(
    client, owner, settings, monkeypatch
):
    settings.ADMIN_LOGIN_USERNAME_ATTEMPTS = 10
    for i in range(10):  # one failure from each of ten addresses: no address is locked out
        assert log_in(client, "wrong", address=f"198.51.100.{100 + i}").status_code == 200
    paused = log_in(client, "the-right-one", address="203.0.113.1")
    assert paused.status_code == 429
    assert "Logging in as this username failed too many times" in html(paused).main.get_text()

    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 61)  # the first pause is a minute
    assert log_in(client, "wrong", address="203.0.113.2").status_code == 200
    monkeypatch.setattr(time, "time", lambda: now + 122)  # the next is two
    assert log_in(client, "the-right-one", address="203.0.113.3").status_code == 429
    monkeypatch.setattr(time, "time", lambda: now + 183)
    assert log_in(client, "the-right-one", address="203.0.113.3").status_code == 302
    # A login ends it: the next mistake is one of a fresh budget.
    assert log_in(Client(), "wrong", address="203.0.113.4").status_code == 200
    assert log_in(Client(), "the-right-one", address="203.0.113.5").status_code == 302


def test_a_lockout_covers_the_ipv6_network_of_the_address(client, owner):
    for i in range(5):
        log_in(client, "wrong", address=f"2001:db8:7:7::{i + 1:x}")
    assert log_in(client, "the-right-one", address="2001:db8:7:7:abcd::1").status_code == 429
    assert log_in(client, "the-right-one", address="2001:db8:7:8::1").status_code == 302


def test_passwords_are_stored_hashed(owner):
    assert owner.password.startswith(("pbkdf2_sha256$", "argon2"))
    assert "the-right-one" not in owner.password


PRIVACY = "/admin/comments/comment/privacy/"


def test_the_owner_exports_everything_about_a_commenter_as_json(admin_client, client, seed):
    post_comment(client, seed, body="First.", author_url="https://ingrid.example/")
    post_comment(client, seed, body="Second.")
    response = admin_client.post(PRIVACY, {"email": "INGRID@example.org", "action": "export"})
    assert response["Content-Disposition"] == 'attachment; filename="commenter.json"'
    data = response.json()
    assert [c["text"] for c in data["comments"]] == ["First.", "Second."]
    assert data["comments"][0]["website"] == "https://ingrid.example/"
    assert data["comments"][0]["ip_address"] == "127.0.0.1"


def test_the_owner_exports_and_erases_a_follower_who_never_commented(admin_client, client, seed):
    client.post(f"/comments/post/{seed.pk}/follow/", {"email": "Kari@example.org"})
    data = admin_client.post(PRIVACY, {"email": "kari@example.org", "action": "export"}).json()
    assert data["comments"] == []
    assert data["emails"]["confirmed"] is None
    (followed,) = data["emails"]["posts"]
    assert followed["post"] == "Norwegian Study Offers Clues" and followed["following_since"]
    admin_client.post(PRIVACY, {"email": "KARI@example.org", "action": "erase", "confirm": "yes"})
    assert not Subscriber.objects.exists() and not ThreadMail.objects.exists()


def test_the_owner_erases_a_commenter_leaving_tombstones(admin_client, admin_user, client, seed):
    from moderation.models import Decision

    post_comment(client, seed, body="Please forget me.")
    Decision.objects.change(Comment.objects.filter(number=16), "published")
    post_comment(client, seed, parent=str(comment_number(16).pk), body="A reply", author_email="")
    refused = admin_client.post(PRIVACY, {"email": "ingrid@example.org", "action": "erase"})
    assert refused.status_code == 200 and comment_number(16).body  # not without confirming
    admin_client.post(PRIVACY, {"email": "ingrid@example.org", "action": "erase", "confirm": "yes"})
    erased = comment_number(16)
    assert (erased.status, erased.body, erased.author_name, erased.author_email) == (
        "removed",
        "",
        "",
        "",
    )
    assert erased.ip_address is None
    assert erased.decisions.first().actor == admin_user
    page = html(client.get("/2009/11/norwegian-study-offers-clues/"))
    assert "This comment has been removed." in page.find("li", id="c16").get_text()
    assert "Please forget me" not in page.get_text()


def test_old_client_addresses_are_pruned(seed, client, settings):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    post_comment(client, seed, body="Old.")
    Comment.objects.filter(number=16).update(created=timezone.now() - timedelta(days=91))
    post_comment(client, seed, body="New.")
    call_command("prune_addresses", verbosity=0)
    assert comment_number(16).ip_address is None
    assert comment_number(17).ip_address == "127.0.0.1"
