"""The comment form as it looks, on a desktop and on a phone: each checkbox sits before its
label on one line, and a form sent back with errors is where the browser lands."""

import pytest

pytestmark = pytest.mark.browser

POST_PATH = "/2009/11/norwegian-study-offers-clues/"


@pytest.mark.parametrize("width", [1100, 390])
def test_each_checkbox_and_its_label_are_on_one_line(new_page, site, screenshot, width):
    page = new_page(width=width)
    page.goto(site + POST_PATH)
    for name in ("notify", "remember"):
        box = page.locator(f"#id_{name}").bounding_box()
        label = page.locator(f"label[for=id_{name}]")
        text = label.bounding_box()
        line = label.evaluate("l => parseFloat(getComputedStyle(l).lineHeight)")
        assert box["width"] < 40, f"the {name} checkbox is {box['width']} px wide"
        assert box["x"] + box["width"] <= text["x"], f"the {name} label is not after its box"
        middle = box["y"] + box["height"] / 2
        assert text["y"] <= middle <= text["y"] + line, f"{name}: its label starts a line below"
        # "Remember my name, email and website on this browser" may wrap on a phone, as text.
        if name == "notify" or width > 800:
            assert text["height"] < 1.5 * line, f"the {name} label wraps onto two lines"
    screenshot(page, close_up=page.locator("#comment-form"))


def test_a_form_sent_back_with_errors_is_in_sight_with_the_field_in_error_focused(page, site):
    page.goto(site + POST_PATH)
    form = page.locator("#comment-form")
    form.get_by_label("Comment:", exact=True).fill("My careful text.")
    form.get_by_label("Name:", exact=True).evaluate("(el, v) => { el.value = v; }", "N" * 101)
    with page.expect_navigation():
        form.get_by_role("button", name="Publish your comment").click()
    sent_back_at = page.url
    name = page.locator("#comment-form").get_by_label("Name:", exact=True)
    assert name.evaluate("el => el === document.activeElement")
    assert page.evaluate("window.scrollY") > 500
    box, height = name.bounding_box(), page.evaluate("window.innerHeight")
    assert 0 <= box["y"] and box["y"] + box["height"] <= height, "the field is out of sight"

    page.goto(sent_back_at)  # the address typed again, or bookmarked: the post, with its form
    assert page.url == site + POST_PATH
