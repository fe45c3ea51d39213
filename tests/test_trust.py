"""The commenters' trust model: a short window to edit (and an edit is judged again), mail that
cannot be turned against anyone, an owner's one-time decision links, a spam folder that loses
nothing by surprise, and shadow replays of a policy before it is switched on.

Mail goes through a real SMTP server on loopback (the `inbox` fixture) and is read back.
"""

import time
from datetime import timedelta
from io import StringIO

import pytest
from conftest import POST_URL, comment_number, confirm_address, html, links_in, post_comment
from django.core import signing
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from comments.models import Comment, Revision, Subscriber
from moderation.models import Assessment, Decision

SPAMMY = (
    "B cells and rituximab: the Norwegian study is a clue. Cheap pills here: "
    "http://pills.example.com/buy http://casino.example.net/ http://loans.example.biz/"
)
ON_TOPIC = "B cells and rituximab: the Norwegian study is a clue."


def edit_link(page):
    return page.select_one(".comment-own a")


# Editing ---------------------------------------------------------------------------------------


def test_a_commenter_edits_their_comment_from_the_same_browser(client, admin_client, seed):
    post_comment(client, seed, body=ON_TOPIC)
    mine = comment_number(16)
    assert mine.status == "published"
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
    assert mine.status == "published" and inbox == []

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/comments/{mine.pk}/edit/", {"body": SPAMMY}, follow=True)
    assert "awaits moderation" in response.content.decode()
    assert comment_number(16).status == "pending"
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
    assert comment_number(16).status == "published"
    assert not Decision.objects.filter(comment=mine, note="edited").exists()


# Notifications ---------------------------------------------------------------------------------


def ask_for_replies(client, post, text="Tell me when someone answers.", **fields):
    return post_comment(client, post, body=text, notify="on", **fields)


def publish(*comments):
    Decision.objects.change(Comment.objects.filter(pk__in=[c.pk for c in comments]), "published")


def reply(parent, text):
    post_comment(
        Client(),
        parent.post,
        parent=str(parent.pk),
        body=text,
        author_name="Ola",
        author_email="ola@example.org",
    )
    return Comment.objects.latest("pk")


@pytest.fixture
def held(settings):
    """Every new comment is held, so that each test publishes when it wants."""
    settings.MODERATION_POLICY = "hold-all"


def test_an_address_is_asked_to_confirm_once_and_nothing_more_until_it_does(
    client, seed, held, inbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ask_for_replies(client, seed)
        ask_for_replies(Client(), seed, text="Me again.", author_email="INGRID@example.org")
    (request,) = inbox
    assert request["To"] == "ingrid@example.org"
    assert "this is the only email you will get" in request.get_content()

    first = comment_number(16)
    with django_capture_on_commit_callbacks(execute=True):
        publish(first)
        publish(reply(first, "An answer nobody confirmed to hear of."))
    assert len(inbox) == 1  # unconfirmed: no reply mail, no second request
    assert Subscriber.objects.get().confirmed is None


def test_opening_the_confirmation_link_is_not_confirming(
    client, seed, held, inbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ask_for_replies(client, seed)
    Client().get(links_in(inbox[0])[0])  # a mail scanner follows every link
    assert Subscriber.objects.get().confirmed is None
    page = html(Client().get(links_in(inbox[0])[0]))
    assert page.select_one("main button").get_text() == "Yes, email me replies"


def test_a_forged_confirmation_link_confirms_nothing(client, seed, held, inbox):
    ask_for_replies(client, seed)
    token = signing.dumps("ingrid@example.org", salt="somebody else's salt")
    assert Client().post(f"/comments/confirm/{token}/").status_code == 400
    assert Subscriber.objects.get().confirmed is None


@pytest.fixture
def confirmed(client, seed, held, inbox, django_capture_on_commit_callbacks):
    """Ingrid's published comment, her address confirmed for replies."""
    with django_capture_on_commit_callbacks(execute=True):
        ask_for_replies(client, seed)
    confirm_address(inbox)
    parent = comment_number(16)
    publish(parent)
    return parent


def test_replies_are_told_only_once_published(confirmed, inbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answer = reply(confirmed, "Here is an answer.")
    assert inbox == []  # held
    with django_capture_on_commit_callbacks(execute=True):
        publish(answer)
    (message,) = inbox
    assert "Here is an answer." in message.get_content()


def test_at_most_one_email_per_thread_an_hour(confirmed, inbox, django_capture_on_commit_callbacks):
    for text in ["First answer.", "Second answer, same hour."]:
        with django_capture_on_commit_callbacks(execute=True):
            publish(reply(confirmed, text))
    (message,) = inbox
    assert "First answer." in message.get_content()

    # An hour later, the next reply is told again.
    from comments.models import ThreadMail

    ThreadMail.objects.update(last_sent=timezone.now() - timedelta(minutes=61))
    with django_capture_on_commit_callbacks(execute=True):
        publish(reply(confirmed, "Third answer, next hour."))
    assert len(inbox) == 2 and "Third answer" in inbox[1].get_content()


def later(confirmed, text, django_capture_on_commit_callbacks):
    from comments.models import ThreadMail

    ThreadMail.objects.update(last_sent=timezone.now() - timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        publish(reply(confirmed, text))


@pytest.mark.parametrize("which", ["thread", "all"])
def test_each_email_mutes_the_thread_or_all_mail_in_one_click(
    confirmed, inbox, which, django_capture_on_commit_callbacks
):
    later(confirmed, "An answer.", django_capture_on_commit_callbacks)
    (message,) = inbox
    thread_link, all_link = [link for link in links_in(message) if "/mute/" in link]
    assert message["List-Unsubscribe"].strip() == f"<https://blog.example.org{thread_link}>"
    link = thread_link if which == "thread" else all_link

    button = html(Client().get(link)).select_one("main button").get_text()
    assert button == (
        "No more emails about “Norwegian Study Offers Clues”"
        if which == "thread"
        else "No more emails from this blog"
    )
    # One click from a mail client: a POST with no CSRF token (RFC 8058).
    response = Client(enforce_csrf_checks=True).post(link, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "No more emails" in html(response).h1.get_text()

    later(confirmed, "Another answer.", django_capture_on_commit_callbacks)
    assert len(inbox) == 1


def test_a_forged_mute_link_is_refused(confirmed):
    token = signing.dumps([1, None], salt="not the blog's")
    assert Client().post(f"/comments/mute/{token}/").status_code == 400


# The owner's links -----------------------------------------------------------------------------


@pytest.fixture
def waiting(client, seed, held, settings, admin_user, inbox, django_capture_on_commit_callbacks):
    """A held comment, and the owner's email about it (the owner is the admin user)."""
    settings.OWNER_EMAIL = admin_user.email
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(client, seed, body="Please look at this.")
    (message,) = inbox
    approve, spam = [link for link in links_in(message) if "/moderation/decide/" in link]
    return comment_number(16), approve, spam


def test_the_owners_approve_link_shows_then_decides_once(waiting, admin_user):
    comment, approve, spam = waiting
    page = html(Client().get(approve))  # opening it (or a mail scanner doing so) decides nothing
    assert page.select_one("main button").get_text() == "Approve and publish"
    assert comment_number(16).status == "pending"

    done = Client().post(approve)
    assert done.status_code == 200
    assert "Comment 16 is published" in html(done).h1.get_text()
    assert comment_number(16).status == "published"
    decision = Decision.objects.filter(comment=comment).first()
    assert (decision.actor, decision.to_status, decision.note) == (
        admin_user,
        "published",
        "from the owner's email",
    )
    # Each link works once, and any decision retires the other links of the same email.
    assert Client().post(approve).status_code == 410
    gone = Client().post(spam)
    assert gone.status_code == 410 and "a link works once" in gone.content.decode()
    assert comment_number(16).status == "published"


def test_a_decision_in_the_admin_retires_the_links(waiting, admin_client):
    comment, approve, spam = waiting
    admin_client.post(
        "/admin/moderation/queuedcomment/",
        {"action": "mark_spam", "_selected_action": [comment.pk]},
    )
    assert Client().post(approve).status_code == 410
    assert comment_number(16).status == "spam"


def test_the_owners_links_expire(waiting, settings, monkeypatch):
    comment, approve, spam = waiting
    settings.MODERATION_LINK_DAYS = 7
    eight_days_on = time.time() + 8 * 24 * 3600
    monkeypatch.setattr(time, "time", lambda: eight_days_on)  # the clock the signer reads
    response = Client().post(approve)
    assert response.status_code == 410 and "expired" in response.content.decode()
    monkeypatch.undo()
    assert comment_number(16).status == "pending"


def test_without_a_staff_account_for_the_owners_address_the_mail_has_no_links(
    client, seed, held, settings, inbox, django_capture_on_commit_callbacks
):
    settings.OWNER_EMAIL = "owner@example.org"  # no staff user has it
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(client, seed, body="Please look at this.")
    (message,) = inbox
    assert links_in(message) == ["/admin/moderation/queuedcomment/"]


def test_a_forged_decision_link_decides_nothing(waiting):
    comment, approve, spam = waiting
    token = signing.dumps([comment.pk, "approve", None], salt="guessed")
    assert Client().post(f"/moderation/decide/{token}/").status_code == 400
    assert Client().post(approve[:-5] + "x/").status_code == 400
    assert comment_number(16).status == "pending"


# The spam folder -------------------------------------------------------------------------------


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


# Shadow mode -----------------------------------------------------------------------------------


@pytest.fixture
def history(client, seed):
    """Three comments as they came today: two published, one held for its links."""
    post_comment(client, seed, body=ON_TOPIC)
    post_comment(
        client,
        seed,
        body="Interesting. Has anyone tried rituximab outside the study?",
        author_email="kari@example.org",
    )
    post_comment(client, seed, body=SPAMMY, author_email="x@example.org")
    assert [c.status for c in Comment.objects.filter(number__gt=15)] == [
        "published",
        "published",
        "pending",
    ]


def shadow(*args):
    out = StringIO()
    call_command("spam", "shadow", *args, stdout=out)
    return out.getvalue().splitlines()


def test_shadow_replays_past_comments_under_a_stricter_policy(history):
    today = f"{timezone.now():%Y-%m-%d}"
    lines = shadow("--since", today, "--policy", "hold-all")
    assert lines[0].startswith(f"3 comments since {today}, replayed under policy hold-all")
    assert lines[0].endswith(": 2 would change")
    assert lines[1] == "  published → held: 2"
    assert [line.split(": ")[-1] for line in lines[2:]] == ["published → held"] * 2
    # Nothing changed for real.
    assert [c.status for c in Comment.objects.filter(number__gt=15)] == [
        "published",
        "published",
        "pending",
    ]


def test_shadow_with_the_current_settings_changes_nothing(history):
    assert shadow("--since", f"{timezone.now():%Y-%m-%d}")[0].endswith(": 0 would change")


def test_shadow_refuses_thresholds_the_wrong_way_round(history):
    with pytest.raises(CommandError, match="--hold-above must not be above --spam-above"):
        shadow("--since", "2026-01-01", "--hold-above", "0.9", "--spam-above", "0.5")


def test_shadow_in_the_admin(admin_client, history):
    today = f"{timezone.now():%Y-%m-%d}"
    page = html(
        admin_client.get(
            "/admin/moderation/queuedcomment/shadow/", {"since": today, "hold_above": "0"}
        )
    )
    assert page.h2.get_text(" ", strip=True) == "3 comments replayed, 2 would change"
    assert page.select_one(".shadow-summary").get_text(strip=True) == "published → held: 2"
    rows = page.select("#shadow-changes tbody tr")
    assert [[td.get_text() for td in row.select("td")][2:] for row in rows] == [
        ["publish", "hold", "—"]
    ] * 2
    # A lower spam score alone moves nothing: the held comment's links are no conclusive evidence.
    lower = html(
        admin_client.get(
            "/admin/moderation/queuedcomment/shadow/", {"since": today, "spam_above": "0.9"}
        )
    )
    assert lower.h2.get_text(" ", strip=True) == "3 comments replayed, 0 would change"

    wrong = html(
        admin_client.get(
            "/admin/moderation/queuedcomment/shadow/",
            {"since": today, "hold_above": "0.9", "spam_above": "0.5"},
        )
    )
    assert "must not be above the spam score" in wrong.get_text()
    assert admin_client.get("/admin/").content.count(b"/admin/moderation/queuedcomment/shadow/")
