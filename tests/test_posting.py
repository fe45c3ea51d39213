"""A reader writes a comment or a reply without JavaScript; bad input comes back as a form error."""

import threading

import pytest
from conftest import POST_URL, comment_form_data, comment_number, html, post_comment
from django.core.management import call_command
from django.db import connection
from django.test import Client

from blog.models import Post
from comments.models import Comment
from moderation.models import Decision


def test_a_new_comment_is_held_and_the_reader_is_told_so(client, seed, settings):
    settings.MODERATION_POLICY = "hold-all"
    response = post_comment(client, seed)
    assert response.status_code == 302
    assert response["Location"] == POST_URL

    page = html(client.get(response["Location"]))
    assert "awaiting moderation" in page.select_one("#messages").get_text()
    assert "Thank you for the summary." not in page.select_one("#comments").get_text()

    comment = comment_number(16)
    assert comment.status == Comment.Status.PENDING
    assert (comment.author_name, comment.author_email) == ("Ingrid", "ingrid@example.org")
    assert comment.ip_address == "127.0.0.1"
    arrival = comment.decisions.get()
    assert (arrival.from_status, arrival.to_status, arrival.actor) == ("", "pending", None)


def test_new_comments_continue_the_numbering(client, seed):
    post_comment(client, seed, body="first")
    post_comment(client, seed, body="second")
    assert list(
        Comment.objects.filter(body__in=["first", "second"])
        .values_list("number", flat=True)
        .order_by("number")
    ) == [16, 17]


def test_a_reply_is_stored_under_its_parent_and_published_under_it_once_approved(client, seed):
    ten = comment_number(10)
    post_comment(client, seed, body="Good questions.", parent=str(ten.pk))
    reply = comment_number(16)
    assert reply.parent == ten
    Decision.objects.change(Comment.objects.filter(pk=reply.pk), Comment.Status.PUBLISHED)

    page = html(client.get(POST_URL))
    assert page.find("li", id="c16").find_parent("li")["id"] == "c10"


def test_the_reply_link_opens_the_form_under_the_comment_without_javascript(client, seed):
    page = html(client.get(POST_URL + "?replyto=10"))
    form = page.find("li", id="c10").find("form")
    assert form is not None
    assert form.find("input", attrs={"name": "parent"})["value"] == str(comment_number(10).pk)
    assert len(page.find_all("form", id="comment-form")) == 1


def test_a_reply_link_to_a_removed_comment_offers_a_plain_comment_form(client, seed):
    page = html(client.get(POST_URL + "?replyto=11"))
    form = page.find("form", id="comment-form")
    assert form.find_parent("li") is None
    assert not form.find("input", attrs={"name": "parent"}).get("value")


def test_a_published_comment_lands_the_reader_at_its_anchor(client, seed):
    from comments.signals import comment_will_be_posted

    def publish(sender, comment, **kwargs):
        comment.status = Comment.Status.PUBLISHED

    comment_will_be_posted.connect(publish)
    try:
        response = post_comment(client, seed, body="Published straight away.")
    finally:
        comment_will_be_posted.disconnect(publish)
    assert response["Location"] == POST_URL + "#c16"
    page = html(client.get(POST_URL))
    assert "published as #16" in page.select_one("#messages").get_text()
    assert "Published straight away." in page.find("li", id="c16").get_text()


def _errors(response, field):
    page = html(response)
    control = page.find(attrs={"name": field})
    group = control.find_parent("div")
    return control, " ".join(e.get_text() for e in group.select(".errorlist li"))


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"body": ""}, "body", "This field is required."),
        ({"body": "   \n  "}, "body", "This field is required."),
        ({"body": "x" * 10_001}, "body", "at most 10000 characters"),
        ({"author_name": "N" * 101}, "author_name", "at most 100 characters"),
        ({"author_email": "not-an-address"}, "author_email", "valid email"),
        ({"author_email": "a@" + "b" * 300 + ".com"}, "author_email", "at most 254 characters"),
        ({"author_url": "javascript:alert(1)"}, "author_url", "valid URL"),
        ({"author_url": "ftp://example.org/"}, "author_url", "http:// or https://"),
        ({"author_name": "Null\x00Byte"}, "author_name", "Null characters are not allowed."),
        # A name reaches the reply emails' Subject, where a line break would start a header.
        ({"author_name": "Kari\nBcc: x@example.org"}, "author_name", "fit on one line"),
        ({"author_name": "Kari\r\nBcc: x@example.org"}, "author_name", "fit on one line"),
        ({"author_name": "Kari\rBcc: x@example.org"}, "author_name", "fit on one line"),
        ({"body": "bell\x07"}, "body", "Control characters are not allowed."),
    ],
)
def test_invalid_input_comes_back_with_the_error_beside_the_field(
    client, seed, overrides, field, message
):
    data = comment_form_data(body="My carefully written text.", **{"author_name": "Kari"})
    data.update(overrides)
    response = client.post(f"/comments/post/{seed.pk}/", data)
    assert response.status_code == 400
    control, errors = _errors(response, field)
    assert message in errors
    assert control.get("aria-invalid") == "true"
    # What the reader wrote is still there.
    page = html(response)
    textarea = page.find("textarea", attrs={"name": "body"})
    assert textarea.get_text().strip() == data["body"].strip()
    assert (
        page.find("input", attrs={"name": "author_name"}).get("value", "")
        == data["author_name"].replace("\x00", "\ufffd")
        or field == "author_name"
    )
    assert Comment.objects.count() == 15


def _parent_error(client, post, parent):
    response = post_comment(client, post, parent=parent, body="My reply, kept.")
    assert response.status_code == 400
    page = html(response)
    assert "My reply, kept." in page.find("textarea", attrs={"name": "body"}).get_text()
    return page.select_one(".form-errors").get_text(" ", strip=True)


def test_a_reply_to_a_comment_of_another_post_is_refused(client, seed):
    other = Post.objects.create(title="Another", slug="another", body="Other post.")
    foreign = Comment.objects.create(post=other, body="elsewhere", status="published")
    assert "only reply to a comment on this post" in _parent_error(client, seed, foreign.pk)
    assert Comment.objects.filter(post=seed).count() == 15


@pytest.mark.parametrize("parent", ["99999", "abc", "-1"])
def test_a_reply_to_a_comment_that_does_not_exist_is_refused(client, seed, parent):
    assert "does not exist" in _parent_error(client, seed, parent)


def test_a_reply_to_spam_reads_as_a_missing_comment(client, seed):
    assert "does not exist" in _parent_error(client, seed, comment_number(9).pk)


def test_a_reply_to_a_held_comment_reads_as_a_missing_comment(client, seed, settings):
    settings.MODERATION_POLICY = "hold-all"
    post_comment(client, seed, body="held")
    assert "does not exist" in _parent_error(client, seed, comment_number(16).pk)


def test_a_reply_to_a_removed_comment_is_refused(client, seed):
    assert "has been removed" in _parent_error(client, seed, comment_number(11).pk)


def test_posting_to_a_missing_post_is_not_found(client, seed):
    assert client.post("/comments/post/999/", comment_form_data()).status_code == 404


def test_the_comment_endpoint_takes_only_post_and_sends_a_visit_to_the_post(client, seed):
    # Reloading the address a form with errors came back at, or a bookmark of it.
    response = client.get(f"/comments/post/{seed.pk}/")
    assert (response.status_code, response["Location"]) == (302, POST_URL)
    assert client.get("/comments/post/999/").status_code == 404
    assert client.put(f"/comments/post/{seed.pk}/").status_code == 405


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site", "Origin": "https://elsewhere.example"},
        {"Sec-Fetch-Site": "same-site", "Origin": "http://other.testserver"},
        # A browser that predates Fetch Metadata still names the page's origin.
        {"Origin": "https://elsewhere.example"},
        {"Origin": "null"},
    ],
)
def test_a_comment_sent_from_another_sites_page_is_refused_saying_so(seed, headers):
    response = Client().post(f"/comments/post/{seed.pk}/", comment_form_data(), headers=headers)
    assert response.status_code == 403
    assert html(response).find("h1").get_text() == "Sent from another site"
    assert Comment.objects.count() == 15


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"},
        {"Origin": "http://testserver"},
        {},  # no browser at all: no reader's cookies to abuse
    ],
)
def test_the_form_on_the_page_posts_with_no_token_from_the_blogs_own_page(seed, headers):
    strict = Client(enforce_csrf_checks=True)
    form = html(strict.get(POST_URL)).find("form", id="comment-form")
    assert form.find("input", attrs={"name": "csrfmiddlewaretoken"}) is None
    response = strict.post(form["action"], comment_form_data(), headers=headers)
    assert response.status_code == 302
    assert Comment.objects.count() == 16


def test_a_signed_in_person_still_needs_the_csrf_token(seed, admin_user):
    owner = Client(enforce_csrf_checks=True)
    owner.force_login(admin_user)
    same_origin = {"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"}
    url = f"/comments/post/{seed.pk}/"
    refused = owner.post(url, comment_form_data(), headers=same_origin)
    assert refused.status_code == 403
    assert html(refused).find("h1").get_text() == "Your form had expired"
    assert Comment.objects.count() == 15

    token = html(owner.get(POST_URL)).find("input", attrs={"name": "csrfmiddlewaretoken"})
    data = comment_form_data(csrfmiddlewaretoken=token["value"])
    assert owner.post(url, data, headers=same_origin).status_code == 302
    assert Comment.objects.count() == 16


def test_names_and_text_are_stored_nfc_normalized(client, seed):
    post_comment(client, seed, author_name="Jose\u0301", body="Espan\u0303a")
    comment = comment_number(16)
    assert (comment.author_name, comment.body) == ("Jos\u00e9", "Espa\u00f1a")


def at_once(count, send):
    """Call `send(i)` in `count` threads released at the same moment; the answers' statuses."""
    barrier = threading.Barrier(count)
    statuses = []

    def run(i):
        try:
            barrier.wait()
            statuses.append(send(i).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@pytest.mark.django_db(transaction=True)
def test_comments_posted_at_the_same_moment_get_distinct_numbers():
    call_command("loaddata", "seed", verbosity=0)
    post = Post.objects.get()
    statuses = at_once(8, lambda i: post_comment(Client(), post, body=f"at once {i}"))
    assert statuses == [302] * 8
    numbers = sorted(
        Comment.objects.filter(body__startswith="at once").values_list("number", flat=True)
    )
    assert numbers == list(range(16, 24))


@pytest.mark.django_db(transaction=True)
def test_a_double_click_at_the_same_moment_posts_the_comment_once():
    call_command("loaddata", "seed", verbosity=0)
    post = Post.objects.get()
    statuses = at_once(6, lambda i: post_comment(Client(), post, body="Clicked twice, quickly."))
    assert statuses == [302] * 6
    assert Comment.objects.filter(body="Clicked twice, quickly.").count() == 1


def test_sending_the_same_comment_again_posts_it_once(client, seed):
    first = post_comment(client, seed, body="Back, then Submit again.")
    again = post_comment(client, seed, body="Back, then Submit again.")
    assert again.status_code == 302
    assert Comment.objects.filter(body="Back, then Submit again.").count() == 1
    page = html(client.get(again["Location"]))
    assert "not posted again" in page.select_one("#messages").get_text()
    assert first["Location"] == again["Location"]


def test_a_published_comment_sent_again_leads_to_it(client, seed):
    ten = comment_number(10)
    Comment.objects.filter(pk=ten.pk).update(ip_address="127.0.0.1")  # as if sent from here
    again = post_comment(client, seed, body=ten.body, author_name=ten.author_name, author_email="")
    assert again["Location"] == POST_URL + "#c10"


def test_the_same_words_from_someone_else_or_on_another_post_are_posted(client, seed):
    other = Post.objects.create(title="Another", slug="another", body="Other post.")
    post_comment(client, seed, body="Thank you!")
    post_comment(client, seed, body="Thank you!", author_name="Someone else")
    post_comment(client, other, body="Thank you!")
    assert Comment.objects.filter(body="Thank you!").count() == 3
