"""Finding posts as on Blogger: a paginated index with comment counts, the archive by year and
month, labels, and previous/next links; comments close after the configured number of days."""

from datetime import UTC, datetime, timedelta

import pytest
from conftest import POST_URL, comment_form_data, html

from blog.models import Label, Post
from comments.models import Comment


def posts_on(response):
    return [a.get_text() for a in html(response).select(".post-title a")]


@pytest.fixture
def many_posts(seed):
    start = datetime(2010, 1, 5, 12, tzinfo=UTC)
    return [
        Post.objects.create(
            title=f"Update {i}",
            slug=f"update-{i}",
            body=f"News {i}.",
            published=start + timedelta(days=20 * i),
        )
        for i in range(12)
    ]


def test_the_index_shows_ten_posts_a_page_newest_first(client, many_posts):
    assert posts_on(client.get("/")) == [f"Update {i}" for i in range(11, 1, -1)]
    second = client.get("/?page=2")
    assert posts_on(second) == ["Update 1", "Update 0", "Norwegian Study Offers Clues"]
    assert html(second).find("a", rel="prev")["href"] == "?page=1"


@pytest.mark.parametrize("page", ["3", "0", "abc", "²"])
def test_a_page_of_posts_that_does_not_exist_is_not_found(client, many_posts, page):
    assert client.get(f"/?page={page}").status_code == 404


def test_the_index_links_to_each_posts_comments_with_their_count(client, seed):
    footer = html(client.get("/")).select_one(".post-footer a")
    assert footer.get_text() == "12 comments"
    assert footer["href"] == POST_URL + "#comments"


def test_the_index_costs_the_same_queries_for_one_post_or_ten(
    client, seed, django_assert_num_queries
):
    # The page's posts, their labels, their comment counts (and the paginator's count).
    with django_assert_num_queries(4):
        client.get("/")
    for i in range(9):
        post = Post.objects.create(title=f"P{i}", slug=f"p{i}", body="x")
        Comment.objects.create(post=post, body="hi", status="published")
    with django_assert_num_queries(4):
        assert len(posts_on(client.get("/"))) == 10


def test_the_archive_lists_years_and_months_with_post_counts(client, many_posts):
    page = html(client.get("/archive/"))
    years = [h.get_text() for h in page.select(".archive-year h2")]
    assert years == ["2010", "2009"]
    months = {li.a.get_text(): li.get_text() for li in page.select("#y2009 ~ ul li")}
    assert months == {"November": "November (1)"}
    january = page.find("a", string="January")
    assert january["href"] == "/2010/01/"
    assert "January (2)" in january.parent.get_text()


def test_a_month_page_lists_that_months_posts(client, many_posts):
    assert posts_on(client.get("/2009/11/")) == ["Norwegian Study Offers Clues"]
    assert posts_on(client.get("/2010/01/")) == ["Update 1", "Update 0"]
    assert html(client.get("/2009/11/")).find("h1").get_text() == "November 2009"
    assert client.get("/2009/13/").status_code == 404


def test_a_year_page_lists_that_years_posts(client, many_posts):
    assert posts_on(client.get("/2009/")) == ["Norwegian Study Offers Clues"]
    assert len(posts_on(client.get("/2010/"))) == 10


def test_a_label_has_a_page_and_the_post_links_to_it(client, seed):
    label = Label.objects.create(name="Rituximab", slug="rituximab")
    seed.labels.add(label)
    link = html(client.get(POST_URL)).select_one(".post-labels a")
    assert (link.get_text(), link["href"], link["rel"]) == (
        "Rituximab",
        "/label/rituximab/",
        ["tag"],
    )
    page = client.get("/label/rituximab/")
    assert posts_on(page) == ["Norwegian Study Offers Clues"]
    assert html(page).find("h1").get_text() == "Posts labelled Rituximab"
    assert client.get("/label/nothing/").status_code == 404


def test_a_post_links_to_the_posts_before_and_after_it(client, many_posts):
    page = html(client.get(many_posts[0].get_absolute_url()))
    assert page.find("a", rel="prev")["href"] == POST_URL
    assert page.find("a", rel="next")["href"] == many_posts[1].get_absolute_url()
    first = html(client.get(POST_URL))
    assert first.find("a", rel="prev") is None
    assert first.find("a", rel="next").get_text() == "Newer: Update 0"


def test_a_scheduled_post_is_not_anyones_neighbour(client, seed):
    Post.objects.create(
        title="Tomorrow",
        slug="tomorrow",
        body="x",
        published=datetime.now(UTC) + timedelta(days=1),
    )
    assert html(client.get(POST_URL)).find("a", rel="next") is None


def test_comments_close_after_the_configured_days_with_a_notice(client, seed, settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 30
    page = html(client.get(POST_URL))
    assert page.find("form", id="comment-form") is None
    notice = page.select_one("#comments .notice").get_text()
    assert notice == "Comments are closed on this post since December 27, 2009."
    response = client.post(f"/comments/post/{seed.pk}/", comment_form_data())
    assert response.status_code == 403
    assert "Comments are closed" in html(response).find("h1").get_text()
    assert Comment.objects.count() == 15


def test_comments_stay_open_on_a_recent_post(client, seed, settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 30
    recent = Post.objects.create(title="Recent", slug="recent", body="x")
    assert html(client.get(recent.get_absolute_url())).find("form", id="comment-form")


def test_the_labels_page_lists_the_labels_in_use_with_their_number_of_posts(
    client, seed, django_assert_num_queries
):
    rituximab, drafts = Label.objects.named("Rituximab"), Label.objects.named("Coming soon")
    seed.labels.add(rituximab, Label.objects.named("ME/CFS"))
    Post.objects.create(title="Later", slug="later", body="x").labels.add(rituximab)
    draft = Post.objects.create(title="Draft", slug="draft", body="x", status=Post.Status.DRAFT)
    draft.labels.add(drafts, rituximab)
    with django_assert_num_queries(1):
        page = html(client.get("/labels/"))
    listed = [li.get_text(" ", strip=True) for li in page.select("ul.labels li")]
    assert listed == ["ME/CFS (1)", "Rituximab (2)"]
    link = page.find("a", string="Rituximab")["href"]
    assert len(posts_on(client.get(link))) == 2
    assert html(client.get("/")).find("nav").find("a", href="/labels/")


def test_every_post_says_who_posted_it(client, seed, settings):
    settings.BLOG_AUTHOR = "Cort Johnson"
    for path in ("/", POST_URL):
        author = html(client.get(path)).select_one("article.post .post-author")
        assert author.get_text() == "Posted by Cort Johnson", path
