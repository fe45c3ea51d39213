"""The owner, in a real browser: logs into the admin, finds the spam in the queue, approves a
held comment with one click, and the reader sees it on the next load."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from comments.models import Comment

pytestmark = pytest.mark.browser

POST_PATH = "/2009/11/norwegian-study-offers-clues/"
QUEUE = "/admin/moderation/queuedcomment/"
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


def queue_row(page, text):
    return page.locator("#result_list tbody tr").filter(has_text=text)


def test_the_owner_finds_the_spam_and_approves_a_held_comment(
    new_page, site, seed_post, owner, screenshot, settings
):
    settings.MODERATION_POLICY = "hold-all"
    # A reader's comment arrives and is held.
    reader = new_page()
    reader.goto(site + POST_PATH)
    reader.get_by_label("Comment:", exact=True).fill("Waiting for the owner's nod.")
    with reader.expect_navigation():
        reader.get_by_role("button", name="Publish your comment").click()
    expect(reader.locator("#messages")).to_contain_text("awaiting moderation")
    held = Comment.objects.get(body="Waiting for the owner's nod.")
    assert held.status == Comment.Status.PENDING

    # The owner's desk, on a common laptop screen: the comment is read without scrolling sideways.
    page = new_page(width=1366)
    log_in(page, site)
    expect(page.locator("#result_list tbody tr")).to_have_count(2)  # the spam and the held one
    results = "document.querySelector('#changelist-form .results')"
    assert page.evaluate(f"{results}.scrollWidth <= {results}.clientWidth")

    spam = queue_row(page, "Our bodies naturally make")
    expect(spam.locator(".desk-author")).to_have_text("evision")
    expect(spam.locator(".field-status")).to_have_text("Spam")
    expect(spam.locator(".desk-score")).to_have_text(re.compile(r"^0\.\d\d$"))
    expect(spam.locator(".desk-reasons")).to_contain_text("text unrelated to the post")
    screenshot(page, "spam", close_up=spam)

    row = queue_row(page, "Waiting for the owner's nod.")
    expect(row.locator(".field-status")).to_have_text("Pending")
    with page.expect_navigation():
        row.get_by_role("button", name=f"Approve #{held.number}").click()
    expect(page.locator(".messagelist")).to_contain_text("approved.")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)  # only the spam waits now
    held.refresh_from_db()
    assert held.status == Comment.Status.PUBLISHED
    screenshot(page, "approved")

    reader.reload()
    published = reader.locator(f"#c{held.number}")
    expect(published).to_contain_text("Waiting for the owner's nod.")
    expect(reader.locator("#comments-heading")).to_have_text("13 comments")
    screenshot(reader, "public", close_up=published)


def test_the_owner_reads_a_held_comment_on_its_page_and_answers_it(
    site, owner, new_page, settings, screenshot, axe
):
    settings.MODERATION_POLICY = "hold-all"
    reader = new_page()
    reader.goto(site + POST_PATH)
    reader.get_by_label("Comment:", exact=True).fill("Which dose did the study use?")
    with reader.expect_navigation():
        reader.get_by_role("button", name="Publish your comment").click()
    held = Comment.objects.get(body="Which dose did the study use?")

    page = new_page(width=1366)
    log_in(page, site)
    with page.expect_navigation():
        queue_row(page, "Which dose did the study use?").locator("th a").click()
    desk = page.locator(".desk-decide")
    expect(desk.locator(".desk-status")).to_have_text("pending")
    expect(desk.locator(".desk-post-excerpt")).not_to_be_empty()
    screenshot(page, "held", close_up=desk)
    assert axe(page) == []

    page.get_by_label(re.compile("^Your reply")).fill("Two infusions, two weeks apart.")
    with page.expect_navigation():
        page.get_by_role("button", name="Publish reply").click()
    expect(page.locator(".messagelist")).to_contain_text("with your reply")
    assert axe(page) == []  # the queue, with the message and its link
    held.refresh_from_db()
    assert held.status == Comment.Status.PUBLISHED

    reader.reload()
    answer = reader.locator(f"#c{held.number} .replies li").first
    expect(answer).to_contain_text("Two infusions, two weeks apart.")
    expect(answer.locator(".owner-badge")).to_have_text("Author")
    screenshot(reader, "answered", close_up=answer)
