"""Mail about replies, which cannot be turned against anyone: an address is asked once to confirm
and gets nothing more until it does, replies are told once published and at most once an hour per
thread, and every email mutes its thread or all mail in one click.

Mail goes through a real SMTP server on loopback (the `inbox` fixture) and is read back.
"""

import time
from datetime import timedelta

import pytest
from conftest import comment_number, confirm_address, html, links_in, post_comment
from django.core import signing
from django.test import Client
from django.utils import timezone

from comments.models import Comment, Subscriber
from moderation.models import Decision


def ask_for_replies(client, post, text="Tell me when someone answers.", **fields):
    return post_comment(client, post, body=text, notify="on", **fields)


def publish(*comments):
    Decision.objects.change(Comment.objects.filter(pk__in=[c.pk for c in comments]), "published")


def reply(parent, text):
    post_comment(
        Client(),
        parent.post,
        parent=str(parent.pk),
        body=text,
        author_name="Ola",
        author_email="ola@example.org",
    )
    return Comment.objects.latest("pk")


def test_an_address_is_asked_to_confirm_once_and_nothing_more_until_it_does(
    client, seed, held, inbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ask_for_replies(client, seed)
        ask_for_replies(Client(), seed, text="Me again.", author_email="INGRID@example.org")
    (request,) = inbox
    assert request["To"] == "ingrid@example.org"
    assert "this is the only email you will get" in request.get_content()

    first = comment_number(16)
    with django_capture_on_commit_callbacks(execute=True):
        publish(first)
        publish(reply(first, "An answer nobody confirmed to hear of."))
    assert len(inbox) == 1  # unconfirmed: no reply mail, no second request
    assert Subscriber.objects.get().confirmed is None


def test_opening_the_confirmation_link_is_not_confirming(
    client, seed, held, inbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ask_for_replies(client, seed)
    Client().get(links_in(inbox[0])[0])  # a mail scanner follows every link
    assert Subscriber.objects.get().confirmed is None
    page = html(Client().get(links_in(inbox[0])[0]))
    assert page.select_one("main button").get_text() == "Yes, email me replies"


def test_a_forged_confirmation_link_confirms_nothing(client, seed, held, inbox):
    ask_for_replies(client, seed)
    token = signing.dumps("ingrid@example.org", salt="somebody else's salt")
    assert Client().post(f"/comments/confirm/{token}/").status_code == 400
    assert Subscriber.objects.get().confirmed is None


@pytest.fixture
def confirmed(client, seed, held, inbox, django_capture_on_commit_callbacks):
    """Ingrid's published comment, her address confirmed for replies."""
    with django_capture_on_commit_callbacks(execute=True):
        ask_for_replies(client, seed)
    confirm_address(inbox)
    parent = comment_number(16)
    publish(parent)
    return parent


def test_replies_are_told_only_once_published(confirmed, inbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answer = reply(confirmed, "Here is an answer.")
    assert inbox == []  # held
    with django_capture_on_commit_callbacks(execute=True):
        publish(answer)
    (message,) = inbox
    assert "Here is an answer." in message.get_content()


def test_at_most_one_email_per_thread_an_hour(confirmed, inbox, django_capture_on_commit_callbacks):
    for text in ["First answer.", "Second answer, same hour."]:
        with django_capture_on_commit_callbacks(execute=True):
            publish(reply(confirmed, text))
    (message,) = inbox
    assert "First answer." in message.get_content()

    # An hour later, the next reply is told again.
    from comments.models import ThreadMail

    ThreadMail.objects.update(last_sent=timezone.now() - timedelta(minutes=61))
    with django_capture_on_commit_callbacks(execute=True):
        publish(reply(confirmed, "Third answer, next hour."))
    assert len(inbox) == 2 and "Third answer" in inbox[1].get_content()


def later(confirmed, text, django_capture_on_commit_callbacks):
    from comments.models import ThreadMail

    ThreadMail.objects.update(last_sent=timezone.now() - timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        publish(reply(confirmed, text))


@pytest.mark.parametrize("which", ["thread", "all"])
def test_each_email_mutes_the_thread_or_all_mail_in_one_click(
    confirmed, inbox, which, django_capture_on_commit_callbacks
):
    later(confirmed, "An answer.", django_capture_on_commit_callbacks)
    (message,) = inbox
    thread_link, all_link = [link for link in links_in(message) if "/mute/" in link]
    assert message["List-Unsubscribe"].strip() == f"<https://blog.example.org{thread_link}>"
    link = thread_link if which == "thread" else all_link

    button = html(Client().get(link)).select_one("main button").get_text()
    assert button == (
        "No more emails about “Norwegian Study Offers Clues”"
        if which == "thread"
        else "No more emails from this blog"
    )
    # One click from a mail client: a POST with no CSRF token (RFC 8058).
    response = Client(enforce_csrf_checks=True).post(link, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "No more emails" in html(response).h1.get_text()

    later(confirmed, "Another answer.", django_capture_on_commit_callbacks)
    assert len(inbox) == 1


def test_a_forged_mute_link_is_refused(confirmed):
    token = signing.dumps([1, None], salt="not the blog's")
    assert Client().post(f"/comments/mute/{token}/").status_code == 400


def a_year_and_a_day_on(monkeypatch):
    later = time.time() + 366 * 24 * 3600
    monkeypatch.setattr(time, "time", lambda: later)  # the clock the signer reads


def test_a_confirmation_link_over_a_year_old_confirms_nothing(
    client, seed, held, inbox, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ask_for_replies(client, seed)
    (link,) = links_in(inbox[0])
    a_year_and_a_day_on(monkeypatch)
    response = Client().post(link)
    assert response.status_code == 400 and "over a year old" in html(response).main.get_text()
    assert Subscriber.objects.get().confirmed is None


def test_a_mute_link_over_a_year_old_mutes_nothing(
    confirmed, inbox, monkeypatch, django_capture_on_commit_callbacks
):
    later(confirmed, "An answer.", django_capture_on_commit_callbacks)
    links = [link for link in links_in(inbox[0]) if "/mute/" in link]
    a_year_and_a_day_on(monkeypatch)
    for link in links:
        assert Client().post(link).status_code == 400
    monkeypatch.undo()
    subscriber = Subscriber.objects.get()
    assert not subscriber.muted and not subscriber.threads.filter(muted=True).exists()
