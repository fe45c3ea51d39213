"""What a reader's markup becomes on the page: the safelist works, bare addresses become links
that pass no rank, and everything else reads exactly as it was typed."""

import time

import pytest
from conftest import html, post_comment

from comments.models import Comment
from moderation.models import Decision


def shown(client, post, body):
    """Post `body`, publish it whatever the spam checks thought, and return its comment body
    as a reader's browser parses it."""
    assert post_comment(client, post, body=body).status_code == 302
    comment = Comment.objects.filter(post=post).order_by("-number").first()
    Decision.objects.change(Comment.objects.filter(pk=comment.pk), "published")
    page = html(client.get(comment.located_url().split("#")[0]))
    return page.find("li", id=f"c{comment.number}").select_one(".comment-body")


def test_bare_addresses_become_links_that_pass_no_rank(client, seed):
    body = shown(
        client,
        seed,
        "The results (https://trial.example/results?id=3&arm=b). More at www.trial.example, "
        "but not <code>https://not.linked.example/</code>.",
    )
    links = body.find_all("a")
    assert [a["href"] for a in links] == [
        "https://trial.example/results?id=3&arm=b",
        "http://www.trial.example",
    ]
    assert [a.get_text() for a in links] == [
        "https://trial.example/results?id=3&arm=b",
        "www.trial.example",
    ]
    assert all(a["rel"] == ["nofollow", "ugc"] for a in links)
    assert "(https://trial.example/results?id=3&arm=b). More" in body.get_text()
    assert body.find("code").get_text() == "https://not.linked.example/"


def test_safelisted_tags_work_and_lose_every_attribute_but_a_checked_link(client, seed):
    body = shown(
        client,
        seed,
        '<b class="x" onmouseover="alert(1)">bold</b> <a href="https://ok.example/" '
        'title="A title" style="color:red">ok</a> <a href="javascript:alert(1)">not a link</a>',
    )
    assert body.find("b").attrs == {}
    first, second = body.find_all("a")
    assert first.attrs == {
        "href": "https://ok.example/",
        "title": "A title",
        "rel": ["nofollow", "ugc"],
    }
    assert "href" not in second.attrs and second.get_text() == "not a link"


def test_markup_and_entities_outside_the_safelist_read_exactly_as_typed(client, seed):
    typed = '<script>alert("hi")</script> says &lt;b&gt; and caf&eacute; <3'
    body = shown(client, seed, typed)
    assert body.get_text().strip() == typed
    assert body.find("script") is None


# Hostile shapes, each about 10,000 characters (the longest comment allowed): runs that once cost
# a regular expression seconds, or took it quadratic time, in the sanitizer or the spam checks.
HOSTILE = {
    "address then punctuation": "See http://x.example/" + "&" * 9_900 + "a",
    "link with one long word": "<a " + "x" * 9_950 + ">a link</a>",
    "dotted run": "a." * 4_990,
    "hyphenated run": "x-" * 4_990,
    "spelled-out dots": "abcd dot " * 1_100,
    "slashes": "a.b/" * 2_490,
}


def cost(client, post, body):
    started = time.perf_counter()
    shown(client, post, body)
    return time.perf_counter() - started


@pytest.mark.parametrize("body", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_comment_costs_no_more_than_an_ordinary_one_of_its_length(client, seed, body):
    # Measured against an ordinary comment of the same length, posted and shown the same way in
    # the same moment, so that a busy machine slows both alike; quadratic work is hundreds of
    # times the ordinary cost, not a few.
    shown(client, seed, "A first comment loads what every later one uses (the spam model).")
    ordinary = ("B cells and rituximab, and what the Norwegian study found. " * 200)[: len(body)]
    assert cost(client, seed, body) < 5 * cost(client, seed, ordinary)


@pytest.mark.parametrize(
    "body, text",
    [
        (HOSTILE["address then punctuation"], HOSTILE["address then punctuation"]),
        (HOSTILE["link with one long word"], "a link"),
    ],
    ids=["address then punctuation", "link with one long word"],
)
def test_long_runs_read_as_typed(client, seed, body, text):
    assert shown(client, seed, body).get_text().strip() == text
