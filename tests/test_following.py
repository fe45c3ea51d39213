"""A reader can follow a post's conversation without commenting (issue 21): "Email me new comments
on this post" asks the address to confirm, then mails each newly published comment, with the
same limits and one-click mute as the reply emails; and the post links its comments' feed.

Mail goes through a real SMTP server on loopback (the `inbox` fixture) and is read back.
"""

import html5lib
import pytest
from conftest import POST_URL, comment_form_data, confirm_address, html, links_in
from django.test import Client

from comments.models import Comment, Subscriber, ThreadMail
from moderation.models import Decision

FOLLOWER = "kari@example.org"


def follow(client, post, email=FOLLOWER, headers=None, **kwargs):
    return client.post(
        f"/comments/post/{post.pk}/follow/", {"email": email}, headers=headers or {}, **kwargs
    )


def comment(post, text, **fields):
    """A comment as readers post it, held (the `held` fixture) until published()."""
    Client().post(f"/comments/post/{post.pk}/", comment_form_data(body=text, **fields))
    return Comment.objects.latest("pk")


def publish(*comments):
    Decision.objects.change(
        Comment.objects.filter(pk__in=[c.pk for c in comments]), Comment.Status.PUBLISHED
    )


@pytest.fixture
def following(client, seed, held, inbox, django_capture_on_commit_callbacks):
    """Kari follows the seed post and has confirmed her address."""
    with django_capture_on_commit_callbacks(execute=True):
        follow(client, seed)
    confirm_address(inbox)
    return seed


def test_the_post_offers_to_email_new_comments_and_links_its_comments_feed(client, seed):
    page = html(client.get(POST_URL))
    form = page.find("form", id="follow")
    assert form["action"] == f"/comments/post/{seed.pk}/follow/"
    assert form.find("input", attrs={"name": "csrfmiddlewaretoken"}) is None
    assert form.find("input", type="email", attrs={"name": "email"}) is not None
    assert form.find("button").get_text() == "Email me new comments"
    feed = page.select_one(".comment-feed a")
    assert feed["href"] == f"/feeds/comments/{seed.pk}/"
    assert client.get(feed["href"]).status_code == 200


def test_following_asks_the_address_to_confirm_and_the_page_never_shows_it(
    client, seed, inbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = follow(client, seed, email="Kari@Example.org", follow=True)
    assert response.redirect_chain == [(POST_URL, 302)]
    assert "emailed to that address once it is confirmed" in html(response).find(id="messages").text
    assert "kari@example.org" not in response.text.lower()
    assert "kari@example.org" not in client.get(POST_URL).text.lower()

    (request,) = inbox
    assert request["To"] == FOLLOWER
    assert request["Subject"] == "Confirm your address for new comments on Blog"
    assert "when someone comments on “Norwegian Study Offers Clues”" in request.get_content()
    (link,) = links_in(request)
    browser = Client()
    assert browser.get(link).status_code == 200  # a mail scanner opening it confirms nothing
    assert Subscriber.objects.get().confirmed is None
    page = html(browser.get(link))
    assert page.select_one("main button").get_text() == "Yes, email me new comments"
    assert browser.post(link).status_code == 200
    assert Subscriber.objects.get().confirmed is not None


def test_a_confirmed_follower_is_mailed_each_newly_published_comment_and_not_held_ones(
    following, inbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        held = comment(following, "Has anyone tried this in Sweden?", author_name="Ola")
    assert inbox == []  # held: no news yet
    with django_capture_on_commit_callbacks(execute=True):
        publish(held)
    (message,) = inbox
    assert message["To"] == FOLLOWER
    assert message["Subject"].strip() == "Ola commented on “Norwegian Study Offers Clues”"
    assert "Has anyone tried this in Sweden?" in message.get_content()
    assert f"/comments/{held.pk}/" in links_in(message)
    thread_mute = next(link for link in links_in(message) if "/mute/" in link)
    assert message["List-Unsubscribe"].strip() == f"<https://blog.example.org{thread_mute}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_comment_published_on_arrival_is_mailed_too(
    following, inbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        Comment.objects.create(post=following, body="Published at once.", status="published")
    (message,) = inbox
    assert "Published at once." in message.get_content()


def test_a_comment_is_told_once_and_at_most_one_email_an_hour(
    following, inbox, django_capture_on_commit_callbacks
):
    first, second = (comment(following, text) for text in ("First.", "Second, same hour."))
    with django_capture_on_commit_callbacks(execute=True):
        publish(first)
    ThreadMail.objects.update(last_sent=None)  # as if an hour went by
    with django_capture_on_commit_callbacks(execute=True):
        # Removed and published again: not news a second time.
        Decision.objects.change(Comment.objects.filter(pk=first.pk), Comment.Status.REMOVED)
        publish(first)
        publish(second)
    with django_capture_on_commit_callbacks(execute=True):
        publish(comment(following, "Third, within the hour of the second."))
    assert [m.get_content().splitlines()[2] for m in inbox] == ["First.", "Second, same hour."]


def test_nobody_is_mailed_their_own_comment(following, inbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        publish(comment(following, "My own words.", author_email="KARI@example.org"))
    assert inbox == []


@pytest.mark.parametrize("which", ["thread", "all"])
def test_one_click_in_the_email_stops_them(
    following, inbox, which, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        publish(comment(following, "An answer."))
    thread_link, all_link = [link for link in links_in(inbox[0]) if "/mute/" in link]
    link = thread_link if which == "thread" else all_link
    response = Client(enforce_csrf_checks=True).post(link, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "No more emails" in html(response).h1.get_text()

    ThreadMail.objects.update(last_sent=None)
    with django_capture_on_commit_callbacks(execute=True):
        publish(comment(following, "Another answer."))
        follow(Client(), following)  # a stranger asking again undoes no mute
        publish(comment(following, "And another."))
    assert len(inbox) == 1


def test_an_unconfirmed_follower_gets_the_one_request_and_nothing_else(
    client, seed, held, inbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        follow(client, seed)
        follow(Client(), seed)
        publish(comment(seed, "Nobody confirmed to hear of this."))
    (request,) = inbox
    assert "Confirm your address" in request["Subject"]


def test_a_comment_sent_before_following_is_not_news(
    client, seed, held, inbox, django_capture_on_commit_callbacks
):
    older = comment(seed, "Waiting in the queue since before.")
    with django_capture_on_commit_callbacks(execute=True):
        follow(client, seed)
    confirm_address(inbox)
    with django_capture_on_commit_callbacks(execute=True):
        publish(older)
    assert inbox == []


def test_following_counts_against_the_comment_limit(client, seed, settings):
    settings.COMMENTS_PER_MINUTE = 2
    assert follow(client, seed).status_code == 302
    assert client.post(f"/comments/post/{seed.pk}/", comment_form_data()).status_code == 302
    response = follow(client, seed)
    assert response.status_code == 429 and response["Retry-After"]


def test_following_from_another_sites_page_is_refused(seed):
    headers = {"Sec-Fetch-Site": "cross-site", "Origin": "https://elsewhere.example"}
    assert follow(Client(), seed, headers=headers).status_code == 403
    assert not Subscriber.objects.exists()


def test_following_from_the_blogs_own_page_needs_no_token(seed):
    headers = {"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"}
    assert follow(Client(enforce_csrf_checks=True), seed, headers=headers).status_code == 302
    assert ThreadMail.objects.get().following_since is not None


def test_a_wrong_address_is_sent_back_with_the_error_beside_it(client, seed):
    response = follow(client, seed, email="not an address")
    assert response.status_code == 400
    page = html(response)
    assert "Enter a valid email address." in page.find("form", id="follow").get_text()
    html5lib.HTMLParser(strict=True).parse(response.content)
    assert not Subscriber.objects.exists()


def test_a_post_closed_to_comments_offers_only_its_feed(client, seed, settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 30
    page = html(client.get(POST_URL))
    assert page.find("form", id="follow") is None
    assert page.select_one(".comment-feed a") is not None
    assert follow(client, seed).status_code == 403


def test_the_post_page_with_both_forms_is_well_formed_html(client, seed):
    response = client.get(POST_URL)
    html5lib.HTMLParser(strict=True).parse(response.content)
    ids = [tag["id"] for tag in html(response).find_all(id=True)]
    assert len(ids) == len(set(ids))
