"""A reader browses the blog: the index, the post at its permalink, and the thread under it."""

from datetime import timedelta

from conftest import POST_URL, html
from django.utils import timezone

from blog.models import Post


def test_the_index_shows_the_post_under_its_date_header(client, seed):
    page = html(client.get("/"))
    header = page.select_one(".date-header")
    assert header.get_text(strip=True) == "Friday, November 27, 2009"
    assert header.time["datetime"] == "2009-11-27"
    title_link = page.select_one(".post-title a")
    assert title_link.get_text() == "Norwegian Study Offers Clues"
    assert title_link["href"] == POST_URL


def test_the_post_shows_both_paragraphs_and_the_citation_with_a_doi_link(client, seed):
    response = client.get(POST_URL)
    assert response.status_code == 200
    body = html(response).select_one(".post-body")
    paragraphs = body.find_all("p")
    assert len(paragraphs) == 3
    assert paragraphs[0].get_text().startswith("An experimental ME/CFS treatment in Norway")
    assert paragraphs[1].get_text().startswith("Nevertheless, it shows that B-Cells")
    assert paragraphs[2].get_text().startswith("Fluge and Mella")
    doi = paragraphs[2].a
    assert doi["href"] == "https://doi.org/10.1186/1471-2377-9-28"
    assert doi.get_text() == "doi:10.1186/1471-2377-9-28"


def test_bloggers_old_html_permalink_redirects_permanently(client, seed):
    response = client.get("/2009/11/norwegian-study-offers-clues.html")
    assert response.status_code == 301
    assert response["Location"] == POST_URL


def test_a_permalink_with_the_wrong_month_is_not_found(client, seed):
    assert client.get("/2009/12/norwegian-study-offers-clues/").status_code == 404
    assert client.get("/2009/11/no-such-post/").status_code == 404


def test_a_post_scheduled_for_later_is_nowhere_to_be_seen(client, seed):
    later = Post.objects.create(
        title="Coming soon",
        slug="coming-soon",
        body="Not yet.",
        published=timezone.now() + timedelta(days=1),
    )
    assert "Coming soon" not in client.get("/").content.decode()
    assert client.get(later.get_absolute_url()).status_code == 404


def test_the_page_is_semantic_and_labelled(client, seed):
    page = html(client.get(POST_URL))
    assert page.html["lang"] == "en"
    assert page.select_one("a.skip-link")["href"] == "#main"
    assert page.find("main", id="main")
    assert page.find("h1").get_text() == "Norwegian Study Offers Clues"
    for field in page.select("#comment-form textarea, #comment-form input:not([type=hidden])"):
        assert page.find("label", attrs={"for": field["id"]}), field


def test_a_post_without_comments_shows_the_form_and_no_thread(client, seed):
    quiet = Post.objects.create(title="Quiet", slug="quiet", body="Nobody has answered yet.")
    page = html(client.get(quiet.get_absolute_url()))
    assert page.select_one("#comments-heading").get_text() == "0 comments"
    assert page.find("ol", class_="thread") is None
    assert page.find("form", id="comment-form") is not None
