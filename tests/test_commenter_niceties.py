"""What commenters are offered: their details remembered on request, and an email when someone
replies (sent through a real SMTP server on loopback), with a one-click way to stop it."""

import pytest
from conftest import POST_URL, comment_number, confirm_address, html, post_comment
from django.core.cache import cache
from django.test import Client

from comments.models import Comment
from moderation.models import Decision


def form_values(page):
    form = page.find("form", id="comment-form")
    return {
        name: form.find(attrs={"name": name}).get("value", "")
        for name in ("author_name", "author_email", "author_url")
    }


def test_a_reader_who_asks_is_remembered_on_the_next_visit(client, seed):
    response = post_comment(
        client, seed, author_url="https://kari.example.org/", remember="on", body="Remember me."
    )
    cookie = response.cookies["commenter"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert "kari" not in cookie.value.split(":")[-1]  # signed, not readable as plain settings
    page = html(client.get(POST_URL))
    assert form_values(page) == {
        "author_name": "Ingrid",
        "author_email": "ingrid@example.org",
        "author_url": "https://kari.example.org/",
    }
    assert page.find("input", attrs={"name": "remember"}).has_attr("checked")


def test_a_reader_who_does_not_ask_is_forgotten(client, seed):
    post_comment(client, seed, remember="on", body="Once.")
    response = post_comment(client, seed, body="Twice, not remembered.")
    assert response.cookies["commenter"].value == ""
    assert form_values(html(client.get(POST_URL)))["author_name"] == ""


def test_a_tampered_cookie_fills_in_nothing(client, seed):
    client.cookies["commenter"] = '{"author_name": "Forged"}'
    assert form_values(html(client.get(POST_URL)))["author_name"] == ""


def test_a_remembered_reader_gets_their_own_form_even_from_the_page_cache(client, seed, settings):
    settings.PAGE_CACHE = True
    cache.clear()
    Client().get(POST_URL)  # cached for everyone else
    post_comment(client, seed, remember="on", body="Mine.")
    assert form_values(html(client.get(POST_URL)))["author_name"] == "Ingrid"


def test_asking_for_reply_emails_needs_an_email_address(client, seed):
    response = post_comment(client, seed, notify="on", author_email="")
    assert response.status_code == 400
    assert "Give your email address" in html(response).select_one(".errorlist").get_text()


def reply_to(client, parent, text, **fields):
    return post_comment(
        client,
        parent.post,
        parent=str(parent.pk),
        body=text,
        author_name="Ola",
        author_email="ola@example.org",
        **fields,
    )


@pytest.fixture
def asked(client, seed, settings, inbox, django_capture_on_commit_callbacks):
    """A published comment whose author asked to hear of replies and confirmed their address;
    new comments are held."""
    settings.MODERATION_POLICY = "hold-all"
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(client, seed, body="Tell me when someone answers.", notify="on")
    confirm_address(inbox)
    parent = comment_number(16)
    Decision.objects.change(Comment.objects.filter(pk=parent.pk), "published")
    return parent


def test_a_reply_is_emailed_once_it_is_published_and_only_once(
    client, asked, inbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reply_to(Client(), asked, "Here is an answer.")
    assert inbox == []  # held: nothing readers can see, nothing to announce
    reply = comment_number(17)
    with django_capture_on_commit_callbacks(execute=True):
        Decision.objects.change(Comment.objects.filter(pk=reply.pk), "published")
    (message,) = inbox
    assert message["To"] == "ingrid@example.org"
    assert (
        message["Subject"].strip()
        == "Ola replied to your comment on “Norwegian Study Offers Clues”"
    )
    text = message.get_content()
    assert "Here is an answer." in text
    assert f"https://blog.example.org/comments/{reply.pk}/" in text
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    with django_capture_on_commit_callbacks(execute=True):
        Decision.objects.change(Comment.objects.filter(pk=reply.pk), "spam")
        Decision.objects.change(Comment.objects.filter(pk=reply.pk), "published")
    assert len(inbox) == 1


def test_opening_an_unsubscribe_link_asks_and_the_button_unsubscribes(client, asked):
    from comments.notify import unsubscribe_url

    link = unsubscribe_url(asked).removeprefix("https://blog.example.org")
    page = html(Client().get(link))  # a mail scanner opening it changes nothing
    assert page.select_one("main form button").get_text() == (
        "No more emails about replies to comment 16"
    )
    assert comment_number(16).notify
    done = html(Client().post(link))
    assert done.h1.get_text() == "No more emails"
    assert not comment_number(16).notify


def test_an_unsubscribe_link_over_a_year_old_does_nothing(client, asked, monkeypatch):
    import time

    from comments.notify import unsubscribe_url

    link = unsubscribe_url(asked).removeprefix("https://blog.example.org")
    later = time.time() + 366 * 24 * 3600
    monkeypatch.setattr(time, "time", lambda: later)  # the clock the signer reads
    assert Client().post(link).status_code == 400
    monkeypatch.undo()
    assert comment_number(16).notify


def test_a_mail_clients_one_click_post_unsubscribes_too(client, asked, inbox):
    from comments.notify import unsubscribe_url

    link = unsubscribe_url(asked).removeprefix("https://blog.example.org")
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(link, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert not comment_number(16).notify


def test_a_forged_unsubscribe_link_changes_nothing(client, asked):
    response = client.get("/comments/unsubscribe/16/")
    assert response.status_code == 400
    assert comment_number(16).notify


def test_nobody_is_emailed_about_their_own_reply(
    client, asked, inbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(Client(), asked.post, parent=str(asked.pk), body="Adding to my own point.")
        Decision.objects.change(Comment.objects.filter(number=17), "published")
    assert inbox == []


def test_the_owner_is_emailed_when_a_comment_waits(
    client, seed, inbox, settings, django_capture_on_commit_callbacks
):
    settings.OWNER_EMAIL = "owner@example.org"
    settings.MODERATION_POLICY = "hold-all"
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(client, seed, body="Please look at this.")
    (message,) = inbox
    assert message["To"] == "owner@example.org"
    assert "https://blog.example.org/admin/moderation/queuedcomment/" in message.get_content()
    settings.MODERATION_POLICY = "hold-flagged"
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(client, seed, body="B cells and rituximab: the Norwegian study is a clue.")
    assert comment_number(17).status == "published"
    assert len(inbox) == 1  # published at once: nothing waits, no mail
