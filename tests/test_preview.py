"""A reader can preview a comment before publishing it, with no JavaScript: the Preview button
shows the comment as it will look (sanitized, links and all) above the form, keeps what was
typed, and stores and sends nothing (issue 21)."""

import html5lib
import pytest
from conftest import POST_URL, comment_form_data, comment_number, html
from django.test import Client

from comments.models import Comment

HOSTILE = "Look <script>alert(1)</script> at https://example.org/study and <b>this</b>."


def preview(client, post, headers=None, **fields):
    data = comment_form_data(**fields) | {"preview": "1"}
    return client.post(f"/comments/post/{post.pk}/", data, headers=headers or {})


def test_the_form_has_a_preview_button_that_opens_the_answer_at_the_preview(client, seed):
    form = html(client.get(POST_URL)).find("form", id="comment-form")
    publish, preview_button = form.find_all("button", type="submit")
    assert publish.get_text() == "Publish your comment" and publish.get("name") is None
    assert preview_button.get_text() == "Preview"
    assert preview_button["name"] == "preview"
    assert preview_button["formaction"] == f"{form['action']}#preview"


def test_a_preview_shows_the_comment_as_it_will_look_and_stores_and_sends_nothing(
    client, seed, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.OWNER_EMAIL, settings.OWNER_EMAIL_ON = "owner@example.org", "all"
    with django_capture_on_commit_callbacks(execute=True):
        response = preview(client, seed, body=HOSTILE, notify="on")
    assert response.status_code == 200
    assert Comment.objects.count() == 15
    assert mailoutbox == []

    page = html(response)
    shown = page.find(id="preview")
    assert shown.find("script") is None
    body = shown.select_one(".comment-body")
    assert "<script>alert(1)</script>" in body.get_text()  # shown as the text it was
    (link,) = body.find_all("a")
    assert link["href"] == "https://example.org/study"
    assert link["rel"] == ["nofollow", "ugc"]
    assert body.find("b").get_text() == "this"
    assert shown.select_one(".comment-author").get_text() == "Ingrid"
    # Not a comment yet: no number, no permalink, no Reply link.
    assert shown.select(".comment-number, .comment-actions") == []


def test_a_preview_keeps_what_was_typed_in_the_form(client, seed):
    page = html(preview(client, seed, body=HOSTILE, author_url="https://ingrid.example"))
    form = page.find("form", id="comment-form")
    assert form.find("textarea", attrs={"name": "body"}).get_text() == HOSTILE
    assert form.find("input", attrs={"name": "author_name"})["value"] == "Ingrid"
    assert form.find("input", attrs={"name": "author_url"})["value"] == "https://ingrid.example"
    byline = page.find(id="preview").select_one(".comment-author a")
    assert (byline["href"], byline["rel"]) == ("https://ingrid.example", ["nofollow", "ugc"])


def test_publish_after_a_preview_posts_the_comment(client, seed):
    page = html(preview(client, seed, body=HOSTILE))
    form = page.find("form", id="comment-form")
    data = {
        field["name"]: field.get("value", "")
        for field in form.find_all("input")
        if field.get("type") != "checkbox"
    } | {"body": form.find("textarea").get_text()}
    response = client.post(form["action"], data)
    assert response.status_code == 302
    comment = Comment.objects.latest("pk")
    assert (comment.number, comment.body) == (16, HOSTILE)


def test_a_reply_is_previewed_in_its_form_under_the_comment_it_answers(client, seed):
    ten = comment_number(10)
    page = html(preview(client, seed, parent=str(ten.pk), body="Agreed."))
    item = page.find("li", id="c10")
    assert item.find("form", id="comment-form").find(id="preview") is not None
    assert item.find("form").find("input", attrs={"name": "parent"})["value"] == str(ten.pk)
    assert Comment.objects.count() == 15


def test_a_preview_with_an_error_says_what_is_wrong_and_shows_no_preview(client, seed):
    response = preview(client, seed, body="   ")
    assert response.status_code == 400
    page = html(response)
    assert page.find(id="preview") is None
    assert page.find(autofocus=True)["name"] == "body"


def test_previews_are_not_counted_against_the_comment_limit(client, seed, settings):
    settings.COMMENTS_PER_MINUTE = 1
    for _ in range(3):
        assert preview(client, seed, body="Still writing.").status_code == 200
    assert client.post(f"/comments/post/{seed.pk}/", comment_form_data()).status_code == 302
    assert client.post(f"/comments/post/{seed.pk}/", comment_form_data()).status_code == 429


def test_a_preview_asked_from_another_sites_page_is_refused(seed):
    headers = {"Sec-Fetch-Site": "cross-site", "Origin": "https://elsewhere.example"}
    response = preview(Client(), seed, headers=headers, body=HOSTILE)
    assert response.status_code == 403
    assert "alert" not in response.text


def test_a_preview_from_the_blogs_own_page_needs_no_token(seed):
    strict = Client(enforce_csrf_checks=True)
    headers = {"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"}
    assert preview(strict, seed, headers=headers).status_code == 200


def test_a_preview_on_closed_comments_is_refused(client, seed, settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 30
    assert preview(client, seed).status_code == 403


@pytest.mark.parametrize("parent", ["", "10"])
def test_the_preview_page_is_well_formed_html(client, seed, parent):
    if parent:
        parent = str(comment_number(10).pk)
    response = preview(client, seed, body=HOSTILE, parent=parent)
    parser = html5lib.HTMLParser(strict=True)
    parser.parse(response.content)  # strict: any parse error (stray or unclosed tag) raises
    ids = [tag["id"] for tag in html(response).find_all(id=True)]
    assert len(ids) == len(set(ids))
    page = html(response)
    for tag in page.find_all(attrs={"aria-labelledby": True}):
        assert page.find(id=tag["aria-labelledby"]) is not None
