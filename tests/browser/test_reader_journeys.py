"""A reader, in a real browser: reads the thread, writes a comment and a reply, gets an input
error back, and does it all again with the keyboard alone."""

import pytest
from playwright.sync_api import expect

from comments.models import Comment

pytestmark = pytest.mark.browser

POST_PATH = "/2009/11/norwegian-study-offers-clues/"
HELD = "awaiting moderation"
# Who answers whom in the seed (fixtures/README.md); every other comment answers the post.
REPLIES = {3: 1, 4: 2, 6: 5, 14: 2, 15: 14}


def shown_numbers(page):
    return page.locator("#comments li[id^=c]").evaluate_all(
        "items => items.map(li => Number(li.id.slice(1)))"
    )


def parent_number(page, n):
    """The number of the comment whose list item holds comment n's, or None at the top."""
    return page.locator(f"#c{n}").evaluate(
        "li => { const up = li.parentElement.closest('li'); return up && Number(up.id.slice(1)); }"
    )


def test_a_reader_follows_the_post_from_the_home_page_and_reads_the_thread(page, site, screenshot):
    page.goto(site + "/")
    page.get_by_role("link", name="Norwegian Study Offers Clues").click()
    expect(page).to_have_url(site + POST_PATH)
    expect(page.get_by_role("heading", level=1)).to_have_text("Norwegian Study Offers Clues")

    expect(page.locator("#comments-heading")).to_have_text("12 comments")
    assert sorted(shown_numbers(page)) == [1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15]
    for n in [1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 15]:
        number = page.locator(f"#c{n} .comment-number").first
        expect(number).to_be_visible()
        expect(number).to_have_text(f"{n}.")
    expect(page.locator("#c10 .comment-author").first).to_have_text("XMRV Positive in the UK")

    for reply, parent in REPLIES.items():
        assert parent_number(page, reply) == parent, f"comment {reply} should sit under {parent}"
        # Nested as the eye sees it, too: the reply starts further right than its parent.
        assert (
            page.locator(f"#c{reply} > article").bounding_box()["x"]
            > page.locator(f"#c{parent} > article").bounding_box()["x"]
        )
    for top in [1, 2, 5, 7, 8, 10, 11, 12, 13]:
        assert parent_number(page, top) is None

    for tombstone in (11, 13):
        item = page.locator(f"#c{tombstone}")
        expect(item).to_contain_text("This comment has been removed.")
        expect(item.locator(".comment-body")).to_have_count(0)

    # The spam comment (9, by "evision") leaves no trace: no item, no text, no name.
    expect(page.locator("#c9")).to_have_count(0)
    assert "Our bodies naturally make" not in page.locator("body").inner_text()
    expect(page.locator(".comment-author", has_text="evision")).to_have_count(0)
    screenshot(page)


def submit_comment(page, body, name):
    form = page.locator("#comment-form")
    form.get_by_label("Comment:", exact=True).fill(body)
    form.get_by_label("Name:", exact=True).fill(name)
    with page.expect_navigation():
        form.get_by_role("button", name="Publish your comment").click()


def assert_arrived_where_the_policy_says(page, site, comment, parent=None):
    """Published: the reader lands on its anchor and reads it there. Held: the reader is told."""
    if comment.status == Comment.Status.PUBLISHED:
        expect(page).to_have_url(f"{site}{POST_PATH}#c{comment.number}")
        expect(page.locator(f"#c{comment.number}")).to_contain_text(comment.body)
        expected_parent = parent.number if parent else None
        assert parent_number(page, comment.number) == expected_parent
    else:
        assert comment.status == Comment.Status.PENDING
        expect(page).to_have_url(site + POST_PATH)
        expect(page.locator("#messages")).to_contain_text(HELD)
        expect(page.locator("#comments")).not_to_contain_text(comment.body)


def test_a_reader_posts_a_comment_and_a_reply_to_comment_10(page, site, seed_post, screenshot):
    page.goto(site + POST_PATH)
    submit_comment(page, "Has anyone tried this in Sweden?", "Ingrid")
    comment = Comment.objects.get(body="Has anyone tried this in Sweden?")
    assert (comment.number, comment.author_name, comment.parent) == (16, "Ingrid", None)
    assert_arrived_where_the_policy_says(page, site, comment)
    screenshot(page, "comment")
    # The answer was a redirect, so reloading the page it led to sends nothing again.
    page.reload()
    assert Comment.objects.filter(body=comment.body).count() == 1

    page.get_by_role("link", name="Reply to comment 10").click()  # opens in place (comments.js)
    form = page.locator("#c10 #comment-form")
    expect(form.get_by_role("heading")).to_have_text("Reply to XMRV Positive in the UK (10)")
    expect(form.get_by_label("Comment:", exact=True)).to_be_in_viewport()
    submit_comment(page, "The study answers some of that.", "Ola")
    reply = Comment.objects.get(body="The study answers some of that.")
    ten = Comment.objects.get(post=seed_post, number=10)
    assert (reply.number, reply.parent) == (17, ten)
    assert_arrived_where_the_policy_says(page, site, reply, parent=ten)
    screenshot(page, "reply", close_up=page.locator("#messages"))


def test_back_then_submit_again_does_not_create_a_duplicate(page, site, seed_post, screenshot):
    page.goto(site + POST_PATH + "?replyto=10")
    text = "Sending this only once."
    submit_comment(page, text, "Ola")
    expect(page.locator("#messages")).to_be_visible()

    page.go_back()
    form = page.locator("#comment-form")
    body = form.get_by_label("Comment:", exact=True)
    # Chromium may restore what was typed or show the form empty; either way the reader
    # presses Submit again on the same text.
    if body.input_value() != text:
        body.fill(text)
        form.get_by_label("Name:", exact=True).fill("Ola")
    with page.expect_navigation() as navigation:
        form.get_by_role("button", name="Publish your comment").click()
    assert navigation.value is None or navigation.value.status < 500
    screenshot(page)
    assert Comment.objects.filter(post=seed_post, body=text).count() == 1


def field_errors(page, name):
    """The error list in the same field group as the control named `name`."""
    return page.locator(".field").filter(has=page.locator(f"[name={name}]")).locator(".errorlist")


def test_a_reader_who_submits_blank_text_sees_the_error_beside_it_with_the_name_kept(
    page, site, seed_post, screenshot
):
    page.goto(site + POST_PATH)
    form = page.locator("#comment-form")
    expect(form.locator("#id_body_helptext")).to_have_text(
        "Links become clickable; <b>, <i>, <code> and <blockquote> work."
    )
    form.get_by_label("Name:", exact=True).fill("Kari")

    # Empty: the browser itself stops the form and points at the field.
    form.get_by_role("button", name="Publish your comment").click()
    body = form.get_by_label("Comment:", exact=True)
    assert body.evaluate("el => el.validity.valueMissing")
    expect(page).to_have_url(site + POST_PATH)

    # Only spaces get past the browser; the server answers beside the field.
    body.fill("   \n   ")
    with page.expect_navigation():
        form.get_by_role("button", name="Publish your comment").click()
    form = page.locator("#comment-form")
    expect(field_errors(page, "body")).to_have_text("This field is required.")
    expect(form.get_by_label("Comment:", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(form.get_by_label("Name:", exact=True)).to_have_value("Kari")
    screenshot(page, close_up=form)
    assert Comment.objects.filter(post=seed_post).count() == 15


def test_a_reader_with_an_over_long_name_sees_the_error_beside_it_with_the_text_kept(
    page, site, seed_post, screenshot
):
    page.goto(site + POST_PATH)
    form = page.locator("#comment-form")
    text = "A careful comment,\nwritten over two lines."
    form.get_by_label("Comment:", exact=True).fill(text)
    # The field's maxlength stops typing at 100; an autofilled or scripted value is not stopped,
    # and the server must say so.
    form.get_by_label("Name:", exact=True).evaluate("(el, v) => { el.value = v; }", "N" * 101)
    with page.expect_navigation():
        form.get_by_role("button", name="Publish your comment").click()

    form = page.locator("#comment-form")
    expect(field_errors(page, "author_name")).to_contain_text("at most 100 characters")
    expect(form.get_by_label("Name:", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(form.get_by_label("Comment:", exact=True)).to_have_value(text)
    screenshot(page, close_up=form)
    assert Comment.objects.filter(post=seed_post).count() == 15


def test_the_name_field_stops_typing_at_its_limit(page, site, seed_post):
    page.goto(site + POST_PATH)
    name = page.locator("#comment-form").get_by_label("Name:", exact=True)
    name.press_sequentially("N" * 105)
    expect(name).to_have_value("N" * 100)


def tab_to(page, selector, limit=200):
    """Press Tab until the element matching `selector` has the focus; return the presses."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return presses
    raise AssertionError(f"{selector} never took the focus in {limit} presses of Tab")


def test_a_reader_posts_with_the_keyboard_alone(page, site, seed_post, screenshot):
    page.goto(site + POST_PATH)
    # The first Tab reaches the skip link, and it is shown.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()

    tab_to(page, "#comment-form textarea[name=body]")
    body = page.locator("#comment-form textarea[name=body]")
    assert body.evaluate("el => getComputedStyle(el).outlineStyle") != "none"
    page.keyboard.type("Typed without a mouse.")
    page.keyboard.press("Tab")
    expect(page.locator("#comment-form input[name=author_name]")).to_be_focused()
    page.keyboard.type("Keyboard Kari")
    tab_to(page, "#comment-form button[type=submit]", limit=5)
    screenshot(page, "form", close_up=page.locator("#comment-form"))
    with page.expect_navigation():
        page.keyboard.press("Enter")

    comment = Comment.objects.get(body="Typed without a mouse.")
    assert comment.author_name == "Keyboard Kari"
    assert_arrived_where_the_policy_says(page, site, comment)
    screenshot(page)


def test_with_javascript_the_reply_form_opens_under_the_comment_without_a_page_load(
    page, site, seed_post, screenshot
):
    page.goto(site + POST_PATH)
    page.evaluate("window.stillTheSamePage = true")
    page.locator("#c10 .comment-actions a").first.click()
    form = page.locator("#c10 > #comment-form")
    expect(form).to_be_visible()
    assert page.evaluate("window.stillTheSamePage") is True  # no navigation happened
    expect(form.locator("h3")).to_have_text("Reply to XMRV Positive in the UK (10)")
    expect(form.get_by_label("Comment:", exact=True)).to_be_focused()
    ten = Comment.objects.get(post=seed_post, number=10)
    assert form.locator("input[name=parent]").input_value() == str(ten.pk)
    submit_comment(page, "Answered in place.", "Liv")
    assert Comment.objects.get(body="Answered in place.").parent == ten
    screenshot(page)


def test_in_spanish_the_reply_form_opened_in_place_says_so_in_spanish(
    page, site, seed_post, settings
):
    settings.LANGUAGE_CODE = "es"
    page.goto(site + POST_PATH)
    page.locator("#c10 .comment-actions a").first.click()
    form = page.locator("#c10 > #comment-form")
    expect(form.locator("h3")).to_have_text("Responder a XMRV Positive in the UK (10)")
    expect(form.get_by_label("Comentario:", exact=True)).to_be_focused()


def test_without_javascript_the_reply_link_opens_the_form_through_the_server(
    browser, site, seed_post, screenshot
):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1100, "height": 900}
    )
    try:
        page = context.new_page()
        page.goto(site + POST_PATH)
        page.get_by_role("link", name="Reply to comment 10").click()
        expect(page).to_have_url(site + POST_PATH + "?replyto=10#comment-form")
        form = page.locator("#c10 #comment-form")
        expect(form.get_by_role("heading")).to_have_text("Reply to XMRV Positive in the UK (10)")
        submit_comment(page, "Answered without scripts.", "Per")
        reply = Comment.objects.get(body="Answered without scripts.")
        assert reply.parent == Comment.objects.get(post=seed_post, number=10)
        screenshot(page)
    finally:
        context.close()
