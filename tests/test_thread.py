"""The comments under the post: numbered, threaded, with tombstones (tests/test_hidden_comments.py
checks that no held or spam comment shows)."""

from types import SimpleNamespace

import pytest
from conftest import POST_URL, html

from comments.tree import thread

PUBLISHED = [1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 15]


@pytest.fixture
def page(client, seed):
    return html(client.get(POST_URL))


def number_of(li):
    return int(li["id"].removeprefix("c"))


def test_every_published_comment_shows_with_its_number_and_anchor(page):
    items = page.select("ol.thread li[id^=c]")
    assert sorted(number_of(li) for li in items) == sorted(PUBLISHED + [11, 13])
    for li in items:
        link = li.select_one(".comment-number")
        assert link["href"] == li["id"].join(["#", ""])
        assert link.get_text() == f"{number_of(li)}."
    assert page.select_one("#comments-heading").get_text() == "12 comments"


def test_replies_nest_under_the_comment_they_answer(page):
    def parent_of(n):
        li = page.find("li", id=f"c{n}")
        outer = li.find_parent("li")
        return number_of(outer) if outer else None

    assert parent_of(3) == 1
    assert parent_of(4) == 2
    assert parent_of(14) == 2
    assert parent_of(15) == 14
    assert parent_of(6) == 5
    assert parent_of(10) is None
    assert parent_of(12) is None


def test_comments_read_in_thread_order(page):
    order = [number_of(li) for li in page.select("ol.thread li[id^=c]")]
    assert order == [1, 3, 2, 4, 14, 15, 5, 6, 7, 8, 10, 11, 12, 13]


def test_removed_comments_are_tombstones_that_keep_their_number(page):
    for n in (11, 13):
        li = page.find("li", id=f"c{n}")
        assert li.get_text(" ", strip=True) == f"{n}. This comment has been removed."


def test_authors_and_dates_show_as_on_the_seed_page(page):
    ten = page.find("li", id="c10")
    assert ten.select_one(".comment-author").get_text() == "XMRV Positive in the UK"
    assert ten.time.get_text() == "March 18, 2010 at 10:06 AM"
    assert ten.time["datetime"] == "2010-03-18T10:06:00Z"
    assert page.find("li", id="c5").select_one(".comment-author").get_text() == "Anonymous"
    assert page.find("li", id="c2").select_one(".comment-author").get_text() == "José Luis"


def test_line_breaks_in_a_comment_are_kept(page):
    body = page.find("li", id="c2").select_one(".comment-body")
    assert [p.get_text("\n") for p in body.find_all("p")][1].endswith(
        "lymphocytes\nJosé Luis\nPharmacyts, de España."
    )


def _comments(*pairs):
    """(pk, parent pk) pairs as the thread builder sees rows."""
    return [SimpleNamespace(pk=pk, parent_id=parent, number=pk) for pk, parent in pairs]


def test_a_reply_deeper_than_the_limit_is_drawn_at_the_limit_and_names_its_parent():
    entries = thread(_comments((1, None), (2, 1), (3, 2), (4, 3)), max_depth=2)
    assert [(e.comment.pk, e.depth) for e in entries] == [(1, 0), (2, 1), (3, 2), (4, 2)]
    assert entries[3].reply_to.pk == 3
    assert entries[2].reply_to is None
    # The markup opens a list after 1 and 2, and closes both after 4.
    assert [e.opens for e in entries] == [True, True, False, False]
    assert [len(e.closes) for e in entries] == [0, 0, 0, 2]


def test_a_reply_to_a_hidden_comment_stands_at_the_top_level():
    entries = thread(_comments((1, None), (3, 2)), max_depth=5)
    assert [(e.comment.pk, e.depth) for e in entries] == [(1, 0), (3, 0)]


def test_a_very_long_chain_of_replies_is_built_without_recursion():
    n = 20_000
    entries = thread(_comments((1, None), *((i, i - 1) for i in range(2, n + 1))), max_depth=6)
    assert len(entries) == n
    assert entries[-1].depth == 6
    assert len(entries[-1].closes) == 6
