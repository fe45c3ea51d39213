"""The owner moderates in the admin: a filtered list, bulk decisions, and an audit trail."""

import pytest
from conftest import POST_URL, admin_action, comment_number, html, post_comment

from comments.models import Comment
from moderation.models import Decision

CHANGELIST = "/admin/comments/comment/"


def bulk(client, action, *comments):
    return admin_action(client, CHANGELIST, action, *comments)


def test_the_admin_needs_a_login(client, seed):
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_the_queue_lists_comments_with_post_number_author_status_and_excerpt(admin_client, seed):
    page = html(admin_client.get(CHANGELIST))
    headers = [th.get_text(strip=True) for th in page.select("#result_list thead th")][1:]
    assert headers == ["Number", "Post", "Name", "Status", "Text", "Created", "Decide"]
    rows = page.select("#result_list tbody tr")
    assert len(rows) == 15
    nine = next(r for r in rows if r.select_one(".field-number").get_text() == "9")
    assert nine.select_one(".field-status").get_text() == "Spam"
    assert nine.select_one(".field-author_name").get_text() == "evision"
    assert nine.select_one(".field-excerpt").get_text().startswith("Our bodies naturally make")


def test_the_spam_comment_sits_in_the_spam_filter(admin_client, seed):
    rows = html(admin_client.get(CHANGELIST + "?status__exact=spam")).select(
        "#result_list tbody tr"
    )
    assert [r.select_one(".field-number").get_text() for r in rows] == ["9"]


def test_the_queue_filters_by_post(admin_client, seed):
    page = html(admin_client.get(CHANGELIST + f"?post__id__exact={seed.pk}"))
    assert len(page.select("#result_list tbody tr")) == 15


def test_the_list_costs_the_same_queries_for_many_comments(
    admin_client, seed, django_assert_max_num_queries
):
    Comment.objects.bulk_create(Comment(post=seed, number=100 + i, body="many") for i in range(80))
    with django_assert_max_num_queries(12):
        admin_client.get(CHANGELIST)


def test_approving_held_comments_publishes_them_and_records_who_did_it(
    admin_client, admin_user, client, seed, settings
):
    settings.MODERATION_POLICY = "hold-all"
    post_comment(client, seed, body="Waiting for the owner.")
    held = comment_number(16)
    response = bulk(admin_client, "approve", held)
    assert "1 comment approved." in response.content.decode()

    held.refresh_from_db()
    assert held.status == Comment.Status.PUBLISHED
    decision = held.decisions.first()
    assert (decision.actor, decision.from_status, decision.to_status) == (
        admin_user,
        "pending",
        "published",
    )
    assert "Waiting for the owner." in html(client.get(POST_URL)).find("li", id="c16").get_text()


def test_marking_as_spam_hides_a_comment_from_readers(admin_client, client, seed):
    bulk(admin_client, "mark_spam", comment_number(12))
    assert comment_number(12).status == Comment.Status.SPAM
    assert html(client.get(POST_URL)).find(id="c12") is None


def test_removing_leaves_a_tombstone_and_keeps_the_replies(admin_client, client, seed):
    bulk(admin_client, "remove", comment_number(14))
    page = html(client.get(POST_URL))
    assert "This comment has been removed." in page.find("li", id="c14").get_text()
    assert page.find("li", id="c15").find_parent("li")["id"] == "c14"


def test_only_real_changes_are_recorded(admin_client, seed):
    response = bulk(admin_client, "approve", comment_number(1), comment_number(9))
    assert "1 comment approved." in response.content.decode()
    assert [d.comment.number for d in Decision.objects.all()] == [9]
    assert Decision.objects.get().from_status == "spam"


@pytest.mark.parametrize("action", ["approve", "mark_spam", "remove"])
def test_every_bulk_action_is_in_the_audit_log(admin_client, seed, action):
    bulk(admin_client, action, comment_number(5), comment_number(6))
    target = {"approve": "published", "mark_spam": "spam", "remove": "removed"}[action]
    changed = 0 if target == "published" else 2
    assert Decision.objects.filter(to_status=target).count() == changed
    log = html(admin_client.get("/admin/moderation/decision/")).get_text()
    if changed:
        assert "#5 on Norwegian Study Offers Clues" in log


def test_the_status_cannot_be_edited_around_the_audit_trail(admin_client, seed):
    nine = comment_number(9)
    page = html(admin_client.get(f"{CHANGELIST}{nine.pk}/change/"))
    assert page.find(attrs={"name": "status"}) is None
    assert "Spam" in page.select_one(".field-status").get_text()
