"""The owner's desk in the admin: comments are decided (never deleted), one at a time or in bulk,
read in full in the queue, answered from their own page."""

import pytest
from conftest import POST_URL, comment_number, html, post_comment
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client

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


# Decide per row


@pytest.fixture
def owner(admin_user):
    """The owner in a browser that checks CSRF tokens, as a real one does."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin_user)
    return browser


def press(client, url, button):
    """Load `url`, then press the first button there matching the CSS selector `button`,
    sending its form as a browser would; returns the response after redirects."""
    page = html(client.get(url))
    pressed = page.select_one(button)
    form = pressed.find_parent("form")
    data = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
    data[pressed["name"]] = pressed["value"]
    action = pressed.get("formaction") or form.get("action") or url
    return client.post(action, data, follow=True)


def row(response, number):
    rows = html(response).select("#result_list tbody tr")
    return next(r for r in rows if f"#{number}" in str(r.select("button")))


def test_every_row_of_the_queue_decides_its_comment_in_one_click(owner, seed):
    nine = comment_number(9)
    buttons = row(owner.get(QUEUE + "?status__exact=spam"), 9).select("button[name=decide]")
    assert [b.get_text() for b in buttons] == ["Approve", "Remove"]
    response = press(owner, QUEUE + "?status__exact=spam", 'button[aria-label="Approve #9"]')
    assert response.redirect_chain[-1][0] == QUEUE + "?status__exact=spam"
    nine.refresh_from_db()
    assert nine.status == Comment.Status.PUBLISHED
    assert "#9 on Norwegian Study Offers Clues approved." in html(response).select_one(
        ".messagelist"
    ).get_text(" ", strip=True)
    assert nine.decisions.first().actor is not None


def test_the_message_after_a_click_undoes_it(owner, client, seed):
    twelve = comment_number(12)
    response = press(owner, COMMENTS, 'button[aria-label="Spam #12"]')
    assert html(client.get(POST_URL)).find("li", id="c12") is None
    undo = html(response).select_one(".messagelist form.undo button")
    assert undo.get_text() == "Undo"
    form = undo.find_parent("form")
    data = {i["name"]: i["value"] for i in form.select("input")}
    response = owner.post(form["action"], {**data, "decide": "undo"}, follow=True)
    assert "#12 on Norwegian Study Offers Clues is published again." in response.content.decode()
    assert html(client.get(POST_URL)).find("li", id="c12") is not None
    trail = twelve.decisions.filter(actor__isnull=False).order_by("pk")
    assert [(d.from_status, d.to_status) for d in trail] == [
        ("published", "spam"),
        ("spam", "published"),
    ]


def test_a_comments_own_page_has_the_decide_buttons(owner, seed):
    nine = comment_number(9)
    for changelist in (COMMENTS, QUEUE):
        page = html(owner.get(f"{changelist}{nine.pk}/change/"))
        labels = [b.get_text() for b in page.select(".desk-decide button")]
        assert labels == ["Approve", "Remove"]
    response = press(owner, f"{QUEUE}{nine.pk}/change/", ".desk-decide button[value=remove]")
    assert response.redirect_chain[-1][0] == QUEUE
    nine.refresh_from_db()
    assert nine.status == Comment.Status.REMOVED


def test_a_decision_needs_the_owners_csrf_token_and_a_post(owner, seed):
    nine = comment_number(9)
    url = f"{QUEUE}{nine.pk}/decide/"
    assert owner.post(url, {"decide": "approve"}).status_code == 403
    assert owner.get(url).status_code == 405
    assert Client().post(url, {"decide": "approve"}).status_code == 302  # to the login
    nine.refresh_from_db()
    assert nine.status == Comment.Status.SPAM


# Counts per status


def test_both_lists_count_each_status_without_asking(admin_client, client, seed, settings):
    settings.MODERATION_POLICY = "hold-all"
    post_comment(client, seed, body="A question about dosing.")
    for changelist, expected in [
        (COMMENTS, ["All", "Published (12)", "Pending (1)", "Spam (1)", "Removed (2)"]),
        (QUEUE, ["All", "Pending (1)", "Spam (1)"]),
    ]:
        page = html(admin_client.get(changelist))
        status = page.select_one("#changelist-filter details[data-filter-title=status]")
        assert [a.get_text(strip=True) for a in status.select("li a")] == expected


# A held comment's own page


def held(client, seed, settings, **fields):
    settings.MODERATION_POLICY = "hold-all"
    post_comment(client, seed, **fields)
    return Comment.objects.latest("pk")


def test_a_held_comments_page_shows_its_score_reasons_and_what_it_answers(
    admin_client, client, seed, settings
):
    fourteen = comment_number(14)
    comment = held(client, seed, settings, body="Which dose?", parent=fourteen.pk)
    page = html(admin_client.get(f"{QUEUE}{comment.pk}/change/"))
    desk = page.select_one(".desk-decide")
    assert desk.select_one(".desk-status").get_text() == "pending"
    assert desk.select_one(".desk-score").get_text() == f"{comment.assessment.score:.2f}"
    assert desk.select_one(".desk-reasons").get_text() == "; ".join(comment.assessment.reasons)
    assert desk.select_one(".desk-post-excerpt").get_text().startswith(seed.body.split()[0])
    assert desk.select_one(".desk-parent").get_text().startswith(fourteen.body.split()[0])
    assert [b.get_text() for b in desk.select(".desk-buttons button")] == [
        "Approve",
        "Spam",
        "Remove",
    ]


def test_view_on_site_previews_a_held_comment_for_the_owner_only(
    admin_client, client, seed, settings
):
    comment = held(client, seed, settings, body="A question about dosing.")
    page = html(admin_client.get(f"{QUEUE}{comment.pk}/change/"))
    response = admin_client.get(page.select_one("a.viewsitelink")["href"], follow=True)
    assert response.status_code == 200
    preview = html(response)
    assert "Preview: readers cannot see this comment: it is pending." in preview.get_text()
    assert "A question about dosing." in preview.find("li", id=f"c{comment.number}").get_text()
    assert client.get(f"/moderation/preview/{comment.pk}/").status_code == 302  # to the login
    assert "A question about dosing." not in html(client.get(POST_URL)).get_text()


def test_view_on_site_of_a_published_comment_leads_to_it_on_its_post(admin_client, seed):
    twelve = comment_number(12)
    page = html(admin_client.get(f"{COMMENTS}{twelve.pk}/change/"))
    response = admin_client.get(page.select_one("a.viewsitelink")["href"], follow=True)
    assert response.redirect_chain[-1][0] == f"{POST_URL}#c12"


# Reply from the desk


def reply_from_the_desk(owner, changelist, comment, body):
    page = html(owner.get(f"{changelist}{comment.pk}/change/"))
    form = page.select_one("form.desk-reply")
    data = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    return owner.post(form["action"], {**data, "body": body}, follow=True)


def test_replying_to_a_held_comment_approves_it_and_publishes_the_owners_reply_under_it(
    owner, admin_user, client, seed, settings
):
    comment = held(client, seed, settings, body="Which dose did they use?")
    response = reply_from_the_desk(owner, QUEUE, comment, "Rituximab, two infusions.")
    assert response.redirect_chain[-1][0] == QUEUE
    reply = Comment.objects.latest("pk")
    assert (
        f"with your reply #{reply.number} under it"
        in html(response).select_one(".messagelist").get_text()
    )
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    assert comment.decisions.first().actor == admin_user
    assert (reply.parent, reply.status, reply.by_owner) == (comment, "published", True)
    page = html(client.get(POST_URL))
    shown = page.find("li", id=f"c{reply.number}")
    assert shown.find_parent("li")["id"] == f"c{comment.number}"
    assert "Rituximab, two infusions." in shown.get_text()
    assert shown.select_one(".owner-badge").get_text() == "Author"


def test_a_published_comment_can_be_answered_and_spam_cannot(owner, admin_client, seed):
    twelve = comment_number(12)
    reply_from_the_desk(owner, COMMENTS, twelve, "Thank you, Ingrid.")
    assert Comment.objects.latest("pk").parent == twelve
    nine = comment_number(9)
    assert html(owner.get(f"{QUEUE}{nine.pk}/change/")).select_one("form.desk-reply") is None
    assert admin_client.post(f"{QUEUE}{nine.pk}/reply/", {"body": "Hi"}).status_code == 404


def test_an_empty_reply_publishes_nothing_and_decides_nothing(owner, client, seed, settings):
    comment = held(client, seed, settings)
    response = reply_from_the_desk(owner, QUEUE, comment, "  ")
    assert "The reply was not published" in html(response).select_one(".messagelist").get_text()
    assert Comment.objects.latest("pk") == comment
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


# Tidy


def test_the_admin_is_named_after_the_blog(admin_client, client, db, settings):
    settings.BLOG_TITLE = "Notes on ME/CFS"
    page = html(admin_client.get("/admin/"))
    assert page.select_one("#site-name").get_text(strip=True) == "Notes on ME/CFS — moderation"
    assert page.title.get_text().endswith("| Notes on ME/CFS — moderation")
    login = html(client.get("/admin/login/"))
    assert login.select_one("#site-name").get_text(strip=True) == "Notes on ME/CFS — moderation"


def test_the_admin_index_puts_the_sign_in_records_below_the_owners_work(admin_client, db):
    page = html(admin_client.get("/admin/"))
    main = page.select_one("#content-main")
    modules = [m.select_one("caption").get_text(strip=True) for m in main.select(".module")]
    apart = [
        m.select_one("caption").get_text(strip=True)
        for m in main.select("h2.desk-others ~ .module")
    ]
    assert modules[: len(modules) - len(apart)] == [
        "Administration",
        "Blog",
        "Comments",
        "Moderation",
    ]
    assert "Axes" in apart and "Authentication and Authorization" in apart


def test_the_sidebar_lists_the_owners_work_first(admin_client, db):
    sidebar = html(admin_client.get(QUEUE)).select_one("#nav-sidebar")
    captions = [c.get_text(strip=True) for c in sidebar.select(".module caption")]
    assert captions[:4] == ["Administration", "Blog", "Comments", "Moderation"]
    assert "Axes" in captions[4:]


def test_the_queue_is_titled_for_what_the_owner_does_there(admin_client, db):
    page = html(admin_client.get(QUEUE))
    assert page.h1.get_text() == "Held and spam comments: decide them"


def test_every_action_reads_as_a_sentence(admin_client, seed):
    for changelist in (COMMENTS, QUEUE, "/admin/moderation/blocked/"):
        page = html(admin_client.get(changelist))
        labels = [o.get_text() for o in page.select("select[name=action] option")][1:]
        for label in labels:
            assert "selected comments" in label or "selected blocklist entries" in label, label


# The owner's mail


def mails_for(client, seed, settings, inbox, on_commit, policy, email_on):
    settings.OWNER_EMAIL = "owner@example.org"
    settings.MODERATION_POLICY = policy
    if email_on is not None:
        settings.OWNER_EMAIL_ON = email_on
    with on_commit(execute=True):
        post_comment(
            client,
            seed,
            body="B cells and rituximab: the Norwegian study is a clue.",
            author_email="ingrid@example.org",
            author_url="https://ingrid.example/",
        )
    return list(inbox)


def test_the_owners_mail_shows_the_score_reasons_and_who_wrote(
    client, seed, settings, inbox, django_capture_on_commit_callbacks
):
    (message,) = mails_for(
        client, seed, settings, inbox, django_capture_on_commit_callbacks, "hold-all", None
    )
    comment = Comment.objects.latest("pk")
    text = message.get_content().replace("\r\n", "\n")
    assert message["Subject"].strip() == "A comment waits for you on “Norwegian Study Offers Clues”"
    assert "Name: Ingrid\n" in text
    assert "Email: ingrid@example.org\n" in text
    assert "Website: https://ingrid.example/\n" in text
    reasons = "; ".join(comment.assessment.reasons)
    assert f"Score: {comment.assessment.score:.2f} ({reasons})" in text


def test_with_owner_email_on_all_the_owner_hears_of_published_comments_too(
    client, seed, settings, inbox, django_capture_on_commit_callbacks
):
    (message,) = mails_for(
        client, seed, settings, inbox, django_capture_on_commit_callbacks, "hold-flagged", "all"
    )
    assert Comment.objects.latest("pk").status == Comment.Status.PUBLISHED
    assert message["Subject"].strip() == "A new comment on “Norwegian Study Offers Clues”"
    assert "/moderation/decide/" not in message.get_content()  # nothing to decide


def test_the_owner_is_not_emailed_about_their_own_comments(
    admin_client, seed, settings, inbox, django_capture_on_commit_callbacks
):
    settings.OWNER_EMAIL, settings.OWNER_EMAIL_ON = "owner@example.org", "all"
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(admin_client, seed, body="Thank you all for the comments.")
    assert Comment.objects.latest("pk").by_owner
    assert list(inbox) == []


def test_with_owner_email_on_held_or_none_a_published_comment_sends_nothing(
    client, seed, settings, inbox, django_capture_on_commit_callbacks
):
    assert (
        mails_for(
            client, seed, settings, inbox, django_capture_on_commit_callbacks, "hold-flagged", None
        )
        == []
    )
    settings.OWNER_EMAIL_ON = "none"
    settings.MODERATION_POLICY = "hold-all"
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(client, seed, body="Held, and nobody is told.")
    assert Comment.objects.latest("pk").status == Comment.Status.PENDING
    assert list(inbox) == []


def test_a_mistyped_owner_email_on_stops_the_site_from_starting(settings):
    settings.OWNER_EMAIL_ON = "sometimes"
    with pytest.raises(SystemCheckError, match="Use one of held, all, none."):
        call_command("check")
