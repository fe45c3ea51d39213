"""axe-core finds no serious or critical problem on the pages people use most."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

POST_PATH = "/2009/11/norwegian-study-offers-clues/"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(
    "path",
    [
        "/",
        POST_PATH,
        POST_PATH + "?replyto=10",
    ],
    ids=["home", "post", "post-reply-form"],
)
def test_reader_pages_pass_axe(page, site, axe, screenshot, path, scheme):
    page.emulate_media(color_scheme=scheme)
    page.goto(site + path)
    expect(page.locator("main")).to_be_visible()
    screenshot(page)
    assert axe(page) == []


def test_the_post_page_with_form_errors_passes_axe(page, site, axe, screenshot):
    page.goto(site + POST_PATH)
    form = page.locator("#comment-form")
    form.get_by_label("Comment:", exact=True).fill("   ")
    with page.expect_navigation():
        form.get_by_role("button", name="Publish your comment").click()
    expect(page.locator(".errorlist").first).to_be_visible()
    screenshot(page)
    assert axe(page) == []


def test_the_admin_queue_passes_axe(page, site, axe, screenshot):
    get_user_model().objects.create_superuser("owner", "owner@example.org", "owner-passphrase-1")
    page.goto(site + "/admin/login/?next=/admin/moderation/queuedcomment/")
    page.get_by_label("Username").fill("owner")
    page.get_by_label("Password").fill("owner-passphrase-1")
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    expect(page.locator("#result_list")).to_be_visible()
    screenshot(page)
    assert axe(page) == []


def test_the_axe_check_catches_a_real_problem(page, axe):
    page.set_content(
        '<html lang="en"><title>Bad</title><main><img src="x.png"><button></button></main></html>'
    )
    problems = axe(page)
    assert any("image-alt" in p for p in problems), problems
    assert any("button-name" in p for p in problems), problems
