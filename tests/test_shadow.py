"""Shadow mode: past comments replayed under another policy before it is switched on, on the
command line and in the admin."""

from io import StringIO

import pytest
from conftest import html, post_comment
from django.core.management import CommandError, call_command
from django.utils import timezone

from comments.models import Comment

SPAMMY = (
    "B cells and rituximab: the Norwegian study is a clue. Cheap pills here: "
    "http://pills.example.com/buy http://casino.example.net/ http://loans.example.biz/"
)
ON_TOPIC = "B cells and rituximab: the Norwegian study is a clue."


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
        ["published", "held", "—"]
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
