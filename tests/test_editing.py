"""A commenter edits their comment: from the browser that sent it, for a short window, with the
text it replaces kept; an edit is judged again, and one that gains links goes back to the queue."""

from datetime import timedelta

from conftest import POST_URL, comment_number, html, post_comment
from django.test import Client
from django.utils import timezone

from comments.models import Comment, Revision
from moderation.models import Assessment, Decision

SPAMMY = (
    "B cells and rituximab: the Norwegian study is a clue. Cheap pills here: "
    "http://pills.example.com/buy http://casino.example.net/ http://loans.example.biz/"
)
ON_TOPIC = "B cells and rituximab: the Norwegian study is a clue."


def edit_link(page):
    return page.select_one(".comment-own a")


def test_a_commenter_edits_their_comment_from_the_same_browser(client, admin_client, seed):
    post_comment(client, seed, body=ON_TOPIC)
    mine = comment_number(16)
    assert mine.status == Comment.Status.PUBLISHED
    link = edit_link(html(client.get(POST_URL)))
    assert link["href"] == f"/comments/{mine.pk}/edit/"
    assert Client().get(POST_URL).content.count(b"Edit your comment") == 0  # others see no link

    form = html(client.get(link["href"])).find("textarea", attrs={"name": "body"})
    assert form.get_text() == ON_TOPIC
    response = client.post(link["href"], {"body": ON_TOPIC + " (Typo fixed.)"})
    assert response.status_code == 302

    page = html(Client().get(POST_URL))
    mine_on_page = page.find("li", id="c16")
    assert "(Typo fixed.)" in mine_on_page.get_text()
    assert mine_on_page.select_one(".comment-edited").get_text() == "edited"
    assert list(Revision.objects.filter(comment=mine).values_list("body", flat=True)) == [ON_TOPIC]
    # The owner reads what it said before.
    earlier = html(admin_client.get(f"/admin/comments/comment/{mine.pk}/change/"))
    assert ON_TOPIC in earlier.select_one("#revisions-group").get_text()


def test_another_browser_or_a_forged_cookie_cannot_edit(client, seed):
    post_comment(client, seed, body=ON_TOPIC)
    mine = comment_number(16)
    stranger = Client()
    assert stranger.get(f"/comments/{mine.pk}/edit/").status_code == 403
    stranger.cookies["edits"] = str(mine.pk)  # unsigned
    response = stranger.post(f"/comments/{mine.pk}/edit/", {"body": "Hijacked."})
    assert response.status_code == 403
    assert "cannot be edited" in html(response).h1.get_text()
    assert comment_number(16).body == ON_TOPIC


def test_the_edit_window_closes(client, seed, settings):
    settings.COMMENTS_EDIT_MINUTES = 10
    post_comment(client, seed, body=ON_TOPIC)
    mine = comment_number(16)
    Comment.objects.filter(pk=mine.pk).update(created=timezone.now() - timedelta(minutes=11))
    assert edit_link(html(client.get(POST_URL))) is None
    response = client.post(f"/comments/{mine.pk}/edit/", {"body": "Too late."})
    assert response.status_code == 403
    assert comment_number(16).body == ON_TOPIC


def test_an_empty_edit_is_a_form_error_not_a_change(client, seed):
    post_comment(client, seed, body=ON_TOPIC)
    response = client.post(f"/comments/{comment_number(16).pk}/edit/", {"body": "  "})
    assert response.status_code == 400
    assert html(response).select_one(".errorlist")
    assert comment_number(16).body == ON_TOPIC and not Revision.objects.exists()


def test_an_approved_comment_that_gains_links_goes_back_to_the_queue_saying_why(
    client, admin_client, seed, settings, inbox, django_capture_on_commit_callbacks
):
    settings.OWNER_EMAIL = "owner@example.org"
    post_comment(client, seed, body=ON_TOPIC)
    mine = comment_number(16)
    assert mine.status == Comment.Status.PUBLISHED and inbox == []

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/comments/{mine.pk}/edit/", {"body": SPAMMY}, follow=True)
    assert "awaits moderation" in response.content.decode()
    assert comment_number(16).status == Comment.Status.PENDING
    assert html(Client().get(POST_URL)).find(id="c16") is None

    assessment = Assessment.objects.get(comment=mine)
    assert assessment.reasons[:2] == ["changed after approval", "3 links in the text"]
    decision = Decision.objects.filter(comment=mine).first()
    assert (decision.from_status, decision.to_status, decision.note) == (
        "published",
        "pending",
        "edited",
    )
    queue = html(admin_client.get("/admin/moderation/queuedcomment/"))
    assert "changed after approval" in queue.select_one("#result_list .desk-reasons").get_text()
    (message,) = inbox
    assert message["To"] == "owner@example.org" and "Cheap pills" in message.get_content()


def test_a_harmless_edit_stays_published(client, seed):
    post_comment(client, seed, body=ON_TOPIC)
    mine = comment_number(16)
    client.post(
        f"/comments/{mine.pk}/edit/", {"body": ON_TOPIC[:-1] + " to what goes wrong in ME/CFS."}
    )
    assert comment_number(16).status == Comment.Status.PUBLISHED
    assert not Decision.objects.filter(comment=mine, note="edited").exists()


def test_an_approved_comment_that_gains_one_link_goes_back_to_the_queue(client, seed):
    post_comment(client, seed, body=ON_TOPIC)
    mine = comment_number(16)
    assert mine.status == Comment.Status.PUBLISHED
    response = client.post(
        f"/comments/{mine.pk}/edit/", {"body": ON_TOPIC + " See https://pubmed.example.org/1."}
    )
    assert comment_number(16).status == Comment.Status.PENDING
    assert response.url == POST_URL
    assert html(Client().get(POST_URL)).find(id="c16") is None
    assert Assessment.objects.get(comment=mine).reasons[:2] == [
        "changed after approval",
        "a link added",
    ]


def test_an_edit_that_keeps_the_approved_link_stays_published(client, seed):
    post_comment(client, seed, body=ON_TOPIC + " See https://pubmed.example.org/1.")
    mine = comment_number(16)
    assert mine.status == Comment.Status.PUBLISHED
    moved = "See https://pubmed.example.org/1. " + ON_TOPIC
    client.post(f"/comments/{mine.pk}/edit/", {"body": moved})
    assert comment_number(16).status == Comment.Status.PUBLISHED
