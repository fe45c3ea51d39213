"""The owner's one-time decision links in the email about a held comment: shown before they
decide, deciding once, retired by a decision in the admin, expiring, forged ones refused.

Mail goes through a real SMTP server on loopback (the `inbox` fixture) and is read back.
"""

import threading
import time

import pytest
from conftest import comment_number, html, links_in, post_comment
from django.core import signing
from django.core.management import call_command
from django.db import connection
from django.test import Client

from comments.models import Comment
from moderation.models import Decision
from moderation.notify import decision_url


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
    assert comment_number(16).status == Comment.Status.PENDING

    done = Client().post(approve)
    assert done.status_code == 200
    assert "Comment 16 is published" in html(done).h1.get_text()
    assert comment_number(16).status == Comment.Status.PUBLISHED
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
    assert comment_number(16).status == Comment.Status.PUBLISHED


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
    assert comment_number(16).status == Comment.Status.PENDING


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
    assert comment_number(16).status == Comment.Status.PENDING


def press_at_once(*links):
    """POST each link from its own thread (its own database connection), all released at the
    same moment; the responses, in the links' order."""
    barrier = threading.Barrier(len(links))
    responses = [None] * len(links)

    def press(i):
        try:
            barrier.wait()
            responses[i] = Client().post(links[i])
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=(i,)) for i in range(len(links))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite runs one writer at a time, so there is no race to lose",
)
@pytest.mark.django_db(transaction=True)
def test_approve_and_spam_pressed_at_the_same_moment_decide_once(settings, django_user_model):
    call_command("loaddata", "seed", verbosity=0)
    settings.MODERATION_POLICY = "hold-all"
    settings.OWNER_EMAIL = "owner@example.org"
    owner = django_user_model.objects.create_user("owner", settings.OWNER_EMAIL, "x", is_staff=True)
    post = Comment.objects.first().post
    for trial in range(10):
        # From an address of its own: ten from one would be a flood, and go to the spam folder.
        sender = Client(REMOTE_ADDR=f"198.51.100.{trial + 1}")
        post_comment(sender, post, body=f"Trial {trial}: please look at this.")
        comment = Comment.objects.latest("pk")
        assert comment.status == Comment.Status.PENDING
        approve, spam = (
            decision_url(comment, action).removeprefix(settings.SITE_URL)
            for action in ("approve", "spam")
        )
        answers = press_at_once(approve, spam)

        assert sorted(r.status_code for r in answers) == [200, 410], f"trial {trial}"
        (decided,) = Decision.objects.filter(comment=comment, actor=owner)
        now = Comment.objects.get(pk=comment.pk).status
        assert now == decided.to_status
        (refused,) = [r for r in answers if r.status_code == 410]
        words = {"published": "it is published", "spam": "it is in the spam folder"}[now]
        assert f"already decided: {words}" in html(refused).main.get_text()
