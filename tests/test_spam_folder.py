"""The spam folder loses nothing by surprise: undo brings a comment back and teaches the filter
back, spam is purged only after the days it is kept, and removing a comment first shows what
refers to it."""

from datetime import timedelta
from io import StringIO

from conftest import POST_URL, comment_number, html
from django.core.management import call_command
from django.utils import timezone

from comments.models import Comment
from moderation.models import Decision


def changelist_action(admin_client, action, *comments, **extra):
    return admin_client.post(
        "/admin/comments/comment/",
        {"action": action, "_selected_action": [c.pk for c in comments], **extra},
        follow=True,
    )


def stats():
    out = StringIO()
    call_command("spam", "stats", stdout=out)
    return out.getvalue().splitlines()[0]


def test_undo_brings_a_comment_back_and_teaches_the_filter_back(admin_client, client, seed):
    assert stats() == "learned: 0 ham, 0 spam"
    changelist_action(admin_client, "mark_spam", comment_number(12))
    assert stats() == "learned: 0 ham, 1 spam"
    assert html(client.get(POST_URL)).find(id="c12") is None

    response = changelist_action(admin_client, "undo", comment_number(12))
    assert "1 comment put back where they were." in response.content.decode()
    assert comment_number(12).status == "published"
    assert stats() == "learned: 1 ham, 0 spam"  # unlearned as spam; the owner says it is ham
    assert html(client.get(POST_URL)).find(id="c12")
    trail = [
        (d.from_status, d.to_status, d.actor.username, d.note)
        for d in Decision.objects.filter(comment=comment_number(12)).order_by("pk")
    ]
    assert trail == [("published", "spam", "admin", ""), ("spam", "published", "admin", "undo")]


def test_the_spam_folder_is_purged_after_the_days_it_keeps_spam(admin_client, seed, settings):
    settings.MODERATION_SPAM_KEEP_DAYS = 30
    changelist_action(admin_client, "mark_spam", comment_number(8), comment_number(14))
    Decision.objects.filter(to_status="spam").update(created=timezone.now() - timedelta(days=31))
    changelist_action(admin_client, "mark_spam", comment_number(12))  # recent: kept

    out = StringIO()
    call_command("spam", "purge", "--dry-run", stdout=out)
    assert out.getvalue().splitlines() == [
        "would delete 2 spam comment(s) kept more than 30 days",
        "kept #14 on Norwegian Study Offers Clues: replies hang from it",
    ]
    assert Comment.objects.count() == 15

    call_command("spam", "purge", stdout=StringIO())
    # 8 and the seed's old spam (9) are gone; 14 keeps its reply's place; 12 is recent.
    assert sorted(Comment.objects.filter(status="spam").values_list("number", flat=True)) == [
        12,
        14,
    ]
    purged = Decision.objects.filter(to_status="purged").order_by("about")
    assert [d.about for d in purged] == [
        "#8 on Norwegian Study Offers Clues",
        "#9 on Norwegian Study Offers Clues",
    ]
    # The trail outlives the comment, and the owner can read it.
    trail = html(admin_client.get("/admin/moderation/decision/?to_status__exact=purged"))
    assert len(trail.select("#result_list tbody tr")) == 2
    assert "#8 on Norwegian Study Offers Clues" in trail.select_one("#result_list").get_text()


def test_removing_shows_what_refers_to_the_comment_first(admin_client, client, seed):
    page = html(changelist_action(admin_client, "remove", comment_number(7), comment_number(14)))
    sections = {s.h2.get_text(): s.get_text(" ", strip=True) for s in page.select("section")}
    jose = sections["#7 by Jose on “Norwegian Study Offers Clues”"]
    assert "2 comments naming Jose" in jose and "#4 by" in jose and "#14 by Christine" in jose
    christine = sections["#14 by Christine on “Norwegian Study Offers Clues”"]
    assert "1 reply below it" in christine and "#15 by" in christine
    assert comment_number(7).status == "published"  # nothing removed yet

    changelist_action(
        admin_client,
        "remove",
        comment_number(7),
        comment_number(14),
        confirm="yes",
        reason="off-topic advertising",
    )
    tomb = html(client.get(POST_URL)).find("li", id="c14")
    assert "This comment has been removed" in tomb.get_text()
    assert "off-topic advertising" in tomb.get_text()
    assert tomb.find("li", id="c15")  # the reply keeps its place
    assert Decision.objects.filter(to_status="removed", note="off-topic advertising").count() == 2


def test_removing_lists_every_reply_below_however_deep(admin_client, seed):
    page = html(changelist_action(admin_client, "remove", comment_number(2)))
    (section,) = page.select("section")
    assert section.h3.get_text() == "3 replies below it"
    assert [li.get_text().split(" by ")[0] for li in section.ul.select("li")] == [
        "#4",
        "#14",
        "#15",  # a reply to a reply
    ]
