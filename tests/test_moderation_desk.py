"""The owner's desk in the admin: comments are decided (never deleted), one at a time or in bulk,
read in full in the queue, answered from their own page."""

from conftest import POST_URL, comment_number, html

from comments.models import Comment
from moderation.models import Decision

COMMENTS = "/admin/comments/comment/"
QUEUE = "/admin/moderation/queuedcomment/"


# Delete keeps the story


def test_no_list_of_comments_offers_delete(admin_client, seed):
    for changelist in (COMMENTS, QUEUE):
        actions = html(admin_client.get(changelist)).select("select[name=action] option")
        values = [option["value"] for option in actions]
        assert "delete_selected" not in values and "remove" in values


def test_deleting_selected_comments_is_refused_and_the_thread_keeps_its_numbers(
    admin_client, client, seed
):
    twelve = comment_number(12)
    admin_client.post(
        COMMENTS, {"action": "delete_selected", "_selected_action": [twelve.pk], "post": "yes"}
    )
    assert Comment.objects.filter(pk=twelve.pk).exists()
    assert html(client.get(POST_URL)).find("li", id="c12") is not None


def test_a_comments_delete_page_sends_the_owner_to_remove_instead(admin_client, seed):
    nine = comment_number(9)
    for changelist in (COMMENTS, QUEUE):
        page = html(admin_client.get(f"{changelist}{nine.pk}/change/"))
        assert page.select_one("a.deletelink") is None
        response = admin_client.post(f"{changelist}{nine.pk}/delete/", {"post": "yes"}, follow=True)
        assert response.redirect_chain[-1][0] == f"{changelist}{nine.pk}/change/"
        assert (
            "Remove leaves a numbered tombstone"
            in html(response).select_one(".messagelist").get_text()
        )
    assert Comment.objects.filter(pk=nine.pk).exists()
    assert not Decision.objects.exists()
