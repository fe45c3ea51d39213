"""The owner's moderation queue: held and spam comments with score and reasons, decided in bulk."""

from conftest import admin_action, comment_number, html, post_comment

from comments.models import Comment
from moderation.models import Blocked, Decision

QUEUE = "/admin/moderation/queuedcomment/"


def bulk(client, action, *comments):
    return admin_action(client, QUEUE, action, *comments)


def held(client, seed, settings, **fields):
    settings.MODERATION_POLICY = "hold-all"
    post_comment(client, seed, **fields)
    return Comment.objects.latest("pk")


def test_the_queue_needs_a_login(client, seed):
    assert client.get(QUEUE)["Location"].startswith("/admin/login/")


def test_the_queue_shows_each_comment_with_its_sender_post_text_score_and_reasons(
    admin_client, client, seed, settings
):
    held(client, seed, settings, body="Please read my page", author_url="https://x.example/")
    page = html(admin_client.get(QUEUE))
    headers = [th.get_text(strip=True) for th in page.select("#result_list thead th")][1:]
    assert headers == ["Comment", "Status", "Created", "Decide"]
    rows = page.select("#result_list tbody tr")
    texts = [r.select_one(".field-comment .desk-text").get_text() for r in rows]
    assert texts[0] == "Please read my page"
    assert texts[1].startswith("Our bodies naturally make pain relievers")
    assert len(rows) == 2
    first = rows[0].select_one(".field-comment")
    assert first.select_one(".desk-author").get_text() == "Ingrid"
    assert first.select_one(".desk-website").get_text() == "https://x.example/"
    assert "website given" in first.select_one(".desk-reasons").get_text()
    spam = rows[1].select_one(".field-comment")
    assert spam.select_one(".desk-reasons").get_text() == (
        "text unrelated to the post; learned filter: 0.71 spam"
    )
    assert spam.select_one(".desk-score").get_text() == "0.98"
    assert spam.select_one(".desk-post").get_text() == "“Norwegian Study Offers Clues”"


def test_the_queue_shows_a_few_lines_of_a_long_comment(admin_client, client, seed, settings):
    lines = [f"Line {n} of a long question about the dose and the study." for n in range(12)]
    held(client, seed, settings, body="\n".join(lines))
    text = html(admin_client.get(QUEUE)).select_one(".field-comment .desk-text").get_text()
    assert text.startswith("Line 0 of a long question") and "Line 5" in text
    assert "Line 11" not in text and text.endswith("…")


def test_the_admin_index_says_how_many_wait(admin_client, client, seed, settings):
    assert "0 comments wait for you" in html(admin_client.get("/admin/")).get_text()
    held(client, seed, settings)
    text = html(admin_client.get("/admin/")).get_text()
    assert "1 comment waits for you" in text


def test_approve_spam_and_remove_from_the_queue_are_recorded(
    admin_client, admin_user, client, seed, settings
):
    first = held(client, seed, settings, body="one")
    second = held(client, seed, settings, body="two")
    assert "1 comment approved." in bulk(admin_client, "approve", first).content.decode()
    bulk(admin_client, "mark_spam", second)
    bulk(admin_client, "remove", second)
    trail = [
        (d.comment.number, d.from_status, d.to_status, d.actor)
        for d in Decision.objects.filter(actor__isnull=False).order_by("pk")
    ]
    assert trail == [
        (first.number, "pending", "published", admin_user),
        (second.number, "pending", "spam", admin_user),
        (second.number, "spam", "removed", admin_user),
    ]
    # Published and removed comments leave the queue.
    rows = html(admin_client.get(QUEUE)).select("#result_list tbody tr")
    assert len(rows) == 1


def test_block_this_sender_fills_the_blocklists_and_catches_the_next_comment(
    admin_client, client, seed, settings
):
    comment = held(
        client,
        seed,
        settings,
        author_email="Bot@Spam.example",
        author_url="https://www.pills.example/a",
    )
    response = bulk(admin_client, "block_sender", comment)
    assert "3 blocklist entries added; 1 comment marked as spam." in response.content.decode()
    assert set(Blocked.objects.values_list("kind", "value")) == {
        ("email", "bot@spam.example"),
        ("domain", "pills.example"),
        ("ip", "127.0.0.1"),
    }
    comment.refresh_from_db()
    assert comment.status == Comment.Status.SPAM
    assert comment.decisions.first().note == "sender blocked"

    settings.MODERATION_POLICY = "hold-flagged"
    post_comment(client, seed, body="hello again", author_email="bot@spam.example")
    again = Comment.objects.latest("pk")
    assert again.status == Comment.Status.SPAM
    assert "email address on the blocklist" in again.assessment.reasons


def test_blocking_an_anonymous_sender_without_address_blocks_the_name(admin_client, seed):
    bulk(admin_client, "block_sender", comment_number(9))
    assert list(Blocked.objects.values_list("kind", "value")) == [("name", "evision")]


def test_the_blocklists_are_edited_in_the_admin(admin_client, client, seed):
    post_comment(client, seed, body="A first comment, so that the lists are read (and cached).")
    response = admin_client.post(
        "/admin/moderation/blocked/add/", {"kind": "word", "value": "  Casino ", "note": ""}
    )
    assert response.status_code == 302
    assert Blocked.objects.get().value == "casino"
    post_comment(client, seed, body="Rituximab for ME/CFS? Try our casino instead.")
    comment = Comment.objects.latest("pk")
    assert comment.status == Comment.Status.SPAM
    assert "blocked word: casino" in comment.assessment.reasons


def test_the_queue_costs_the_same_queries_for_many_comments(
    admin_client, seed, django_assert_max_num_queries
):
    Comment.objects.bulk_create(
        Comment(post=seed, number=100 + i, body="many", status="pending") for i in range(80)
    )
    with django_assert_max_num_queries(12):
        admin_client.get(QUEUE)


def test_an_entry_deleted_from_the_blocklist_stops_counting_at_once(admin_client, client, seed):
    entry = Blocked.objects.create(kind="name", value="ingrid")
    post_comment(client, seed)
    assert "name on the blocklist" in Comment.objects.latest("pk").assessment.reasons
    admin_client.post(f"/admin/moderation/blocked/{entry.pk}/delete/", {"post": "yes"})
    assert not Blocked.objects.exists()
    post_comment(client, seed, body="Thank you for the summary, again.")
    assert "name on the blocklist" not in Comment.objects.latest("pk").assessment.reasons
