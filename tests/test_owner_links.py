"""The owner's one-time decision links in the email about a held comment: shown before they
decide, deciding once, retired by a decision in the admin, expiring, forged ones refused.

Mail goes through a real SMTP server on loopback (the `inbox` fixture) and is read back.
"""

import time

import pytest
from conftest import comment_number, html, links_in, post_comment
from django.core import signing
from django.test import Client

from moderation.models import Decision


@pytest.fixture
def waiting(client, seed, held, settings, admin_user, inbox, django_capture_on_commit_callbacks):
    """A held comment, and the owner's email about it (the owner is the admin user)."""
    settings.OWNER_EMAIL = admin_user.email
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(client, seed, body="Please look at this.")
    (message,) = inbox
    approve, spam = [link for link in links_in(message) if "/moderation/decide/" in link]
    return comment_number(16), approve, spam


def test_the_owners_approve_link_shows_then_decides_once(waiting, admin_user):
    comment, approve, spam = waiting
    page = html(Client().get(approve))  # opening it (or a mail scanner doing so) decides nothing
    assert page.select_one("main button").get_text() == "Approve and publish"
    assert comment_number(16).status == "pending"

    done = Client().post(approve)
    assert done.status_code == 200
    assert "Comment 16 is published" in html(done).h1.get_text()
    assert comment_number(16).status == "published"
    decision = Decision.objects.filter(comment=comment).first()
    assert (decision.actor, decision.to_status, decision.note) == (
        admin_user,
        "published",
        "from the owner's email",
    )
    # Each link works once, and any decision retires the other links of the same email.
    assert Client().post(approve).status_code == 410
    gone = Client().post(spam)
    assert gone.status_code == 410 and "a link works once" in gone.content.decode()
    assert comment_number(16).status == "published"


def test_a_decision_in_the_admin_retires_the_links(waiting, admin_client):
    comment, approve, spam = waiting
    admin_client.post(
        "/admin/moderation/queuedcomment/",
        {"action": "mark_spam", "_selected_action": [comment.pk]},
    )
    assert Client().post(approve).status_code == 410
    assert comment_number(16).status == "spam"


def test_the_owners_links_expire(waiting, settings, monkeypatch):
    comment, approve, spam = waiting
    settings.MODERATION_LINK_DAYS = 7
    eight_days_on = time.time() + 8 * 24 * 3600
    monkeypatch.setattr(time, "time", lambda: eight_days_on)  # the clock the signer reads
    response = Client().post(approve)
    assert response.status_code == 410 and "expired" in response.content.decode()
    monkeypatch.undo()
    assert comment_number(16).status == "pending"


def test_without_a_staff_account_for_the_owners_address_the_mail_has_no_links(
    client, seed, held, settings, inbox, django_capture_on_commit_callbacks
):
    settings.OWNER_EMAIL = "owner@example.org"  # no staff user has it
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(client, seed, body="Please look at this.")
    (message,) = inbox
    assert links_in(message) == ["/admin/moderation/queuedcomment/"]


def test_a_forged_decision_link_decides_nothing(waiting):
    comment, approve, spam = waiting
    token = signing.dumps([comment.pk, "approve", None], salt="guessed")
    assert Client().post(f"/moderation/decide/{token}/").status_code == 400
    assert Client().post(approve[:-5] + "x/").status_code == 400
    assert comment_number(16).status == "pending"
