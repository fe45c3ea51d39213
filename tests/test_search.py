"""Search finds posts and published comments (ranked on PostgreSQL), never what readers
cannot see, and takes any input without failing."""

import pytest
from conftest import html

from comments.models import Comment
from moderation.models import Decision


def results(client, query):
    page = html(client.get("/search/", {"q": query}))
    return (
        [a.get_text() for a in page.select("#post-results ~ ol a")],
        [a["href"] for a in page.select("#comment-results ~ ol a")],
    )


def test_search_finds_the_post_by_a_word_of_its_text(client, seed):
    posts, _ = results(client, "antiretroviral")
    assert posts == ["Norwegian Study Offers Clues"]


def test_search_finds_published_comments_and_links_to_them(client, seed):
    _, comments = results(client, "Tysabri")
    assert comments == [f"/comments/{Comment.objects.get(number=12).pk}/"]


def test_search_matches_every_word(client, seed):
    _, comments = results(client, "Tysabri Osteoporosis")
    assert comments == []


@pytest.mark.parametrize("status", ["pending", "spam", "removed"])
def test_search_never_finds_what_readers_cannot_see(client, seed, status):
    Decision.objects.change(Comment.objects.filter(number=12), status)
    assert results(client, "Tysabri") == ([], [])


def test_the_spam_comment_is_not_found(client, seed):
    assert results(client, "endocannabinoid") == ([], [])


def test_a_search_shows_what_was_asked_and_says_when_nothing_matches(client, seed):
    page = html(client.get("/search/", {"q": "zebra"}))
    assert page.find("input", attrs={"name": "q"})["value"] == "zebra"
    assert "No post matches “zebra”." in page.get_text()


@pytest.mark.parametrize(
    "query",
    ["", "   ", "x" * 5000, "'; DROP TABLE blog_post; --", "<script>", "\u202e\u0000", "&|!:*"],
)
def test_any_query_gets_a_page(client, seed, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert html(response).find("script") is None or all(
        s.get("src") for s in html(response).find_all("script")
    )
