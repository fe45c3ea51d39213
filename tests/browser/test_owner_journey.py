"""The owner, in a real browser: logs into the admin, finds the spam in the queue, approves a
held comment in bulk, and the reader sees it on the next load."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from comments.models import Comment

pytestmark = pytest.mark.browser

POST_PATH = "/2009/11/norwegian-study-offers-clues/"
QUEUE = "/admin/comments/comment/"
PASSWORD = "a-long-owner-passphrase"


@pytest.fixture
def owner(site):
    return get_user_model().objects.create_superuser("owner", "owner@example.org", PASSWORD)


def log_in(page, site):
    page.goto(site + QUEUE)
    expect(page).to_have_url(site + "/admin/login/?next=" + QUEUE)
    page.get_by_label("Username").fill("owner")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(site + QUEUE)


def queue_row(page, number):
    return page.locator("#result_list tbody tr").filter(
        has=page.locator(".field-number", has_text=re.compile(rf"^{number}$"))
    )


def filter_by_status(page, status):
    page.locator("#changelist-filter").get_by_role("link", name=status, exact=True).click()
    expect(page).to_have_url(re.compile(rf"{QUEUE}\?status__exact={status.lower()}$"))


def spam_explanation(page, row):
    """The score and reasons the queue shows for a row, by column heading; {} while it has none.

    Extend here once spam scores land (issue 3): the journey asserts on what this returns.
    """
    headings = page.locator("#result_list thead th").all_inner_texts()
    cells = row.locator("td, th").all_inner_texts()
    wanted = {}
    for heading, cell in zip(headings, cells, strict=False):
        for key in ("score", "reason"):
            if key in heading.lower():
                wanted[key] = cell.strip()
    return wanted


def test_the_owner_finds_the_spam_and_approves_a_held_comment(
    new_page, site, seed_post, owner, screenshot
):
    # A reader's comment arrives and is held.
    reader = new_page()
    reader.goto(site + POST_PATH)
    reader.get_by_label("Comment:", exact=True).fill("Waiting for the owner's nod.")
    with reader.expect_navigation():
        reader.get_by_role("button", name="Publish your comment").click()
    expect(reader.locator("#messages")).to_contain_text("awaiting moderation")
    held = Comment.objects.get(body="Waiting for the owner's nod.")
    assert held.status == Comment.Status.PENDING

    # The owner's desk: at narrower widths the admin squeezes the text column to a sliver.
    page = new_page(width=1440)
    log_in(page, site)
    expect(page.locator("#result_list tbody tr")).to_have_count(16)

    page.goto(site + QUEUE)
    filter_by_status(page, "Spam")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    nine = queue_row(page, 9)
    expect(nine.locator(".field-author_name")).to_have_text("evision")
    expect(nine.locator(".field-status")).to_have_text("Spam")
    expect(nine.locator(".field-excerpt")).to_contain_text("Our bodies naturally make")
    screenshot(page, "spam")

    filter_by_status(page, "Pending")
    row = queue_row(page, held.number)
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    row.get_by_role("checkbox").check()
    page.locator("select[name=action]").select_option(label="Approve (publish) selected comments")
    with page.expect_navigation():
        page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_contain_text("1 comment approved.")
    held.refresh_from_db()
    assert held.status == Comment.Status.PUBLISHED
    screenshot(page, "approved")

    reader.reload()
    published = reader.locator(f"#c{held.number}")
    expect(published).to_contain_text("Waiting for the owner's nod.")
    expect(reader.locator("#comments-heading")).to_have_text("13 comments")
    screenshot(reader, "public", close_up=published)


@pytest.mark.xfail(
    strict=True,
    reason="spam scores and reasons arrive with issue 3; when they do, this passes and the "
    "marker must go (strict), and spam_explanation() may need the new column headings",
)
def test_the_queue_shows_the_spam_comment_with_its_score_and_reasons(page, site, owner):
    log_in(page, site)
    filter_by_status(page, "Spam")
    explanation = spam_explanation(page, queue_row(page, 9))
    assert explanation.get("score"), f"no score column for the spam comment: {explanation}"
    assert explanation.get("reason"), f"no reasons column for the spam comment: {explanation}"
