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
