"""Search finds posts and published comments (ranked on PostgreSQL) with the same query language
on SQLite and PostgreSQL (words, "quoted phrases", -exclusion), and takes any input without
failing; tests/test_hidden_comments.py checks it never finds what readers cannot see."""

import pytest
from conftest import html

from comments.models import Comment


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


def test_a_search_shows_what_was_asked_and_says_when_nothing_matches(client, seed):
    page = html(client.get("/search/", {"q": "zebra"}))
    assert page.find("input", attrs={"name": "q"})["value"] == "zebra"
    assert "No post matches “zebra”." in page.get_text()


def test_a_quoted_phrase_finds_its_words_together_and_in_order(client, seed):
    posts, _ = results(client, '"B cells"')
    assert posts == ["Norwegian Study Offers Clues"]
    posts, _ = results(client, '"depleting XMRV"')  # "By depleting XMRV infected B cells"
    assert posts == ["Norwegian Study Offers Clues"]
    posts, _ = results(client, '"XMRV depleting"')
    assert posts == []


def test_a_phrase_matches_across_a_line_break(client, seed):
    comment = Comment.objects.create(
        post=seed, body="They measured natural killer\ncell counts.", status="published"
    )
    _, comments = results(client, '"killer cell"')
    assert comments == [comment.get_absolute_url()]


def test_a_minus_leaves_out_what_names_the_word(client, seed):
    _, with_xmrv = results(client, "XMRV")
    _, without_jose = results(client, "XMRV -Jose")
    fourteen = f"/comments/{Comment.objects.get(number=14).pk}/"  # "Jose, when you say…"
    assert fourteen in with_xmrv
    assert set(without_jose) == set(with_xmrv) - {fourteen}
    assert without_jose


def test_a_minus_leaves_out_a_phrase(client, seed):
    _, comments = results(client, 'XMRV -"Norwegian XMRV study"')
    assert f"/comments/{Comment.objects.get(number=14).pk}/" not in comments
    assert comments


def test_an_excerpt_keeps_a_space_where_the_text_broke_a_line(client, seed):
    Comment.objects.create(
        post=seed, body="First line of a zebra\nsecond line\n\nA paragraph.", status="published"
    )
    page = html(client.get("/search/", {"q": "zebra"}))
    (excerpt,) = page.select("#comment-results ~ ol .excerpt")
    assert excerpt.get_text() == "First line of a zebra second line A paragraph."


def test_an_excerpt_shows_the_characters_that_were_written(client, seed):
    Comment.objects.create(post=seed, body="Fish & chips <3 zebra", status="published")
    page = html(client.get("/search/", {"q": "zebra"}))
    (excerpt,) = page.select("#comment-results ~ ol .excerpt")
    assert excerpt.get_text() == "Fish & chips <3 zebra"


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "x" * 5000,
        "'; DROP TABLE blog_post; --",
        "<script>",
        "\u202e\u0000",
        "&|!:*",
        '"B cells',
        '"',
        '""',
        "-",
        '- -- -""',
        "-XMRV",
        "XMRV*",
        "XMRV NEAR(cells, 5)",
        "body:XMRV",
        "^XMRV",
        "XMRV AND OR NOT",
        "(XMRV",
        "[a-z]+ .* \\b (?i)",
        " ".join(["XMRV"] * 100),
        '"' + "a " * 99,
    ],
)
def test_any_query_gets_a_page(client, seed, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert html(response).find("script") is None or all(
        s.get("src") for s in html(response).find_all("script")
    )
