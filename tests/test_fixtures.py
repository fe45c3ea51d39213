"""The shipped fixtures: loaded twice without duplicates, and faithful to the seed page."""

from datetime import datetime

import pytest
import seedpage
from conftest import POST_URL, html
from django.core.management import call_command

from blog.models import Post
from comments.models import Comment

needs_seed_page = pytest.mark.skipif(
    not seedpage.SEED_PAGE.exists(),
    reason=f"the seed page is not at {seedpage.SEED_PAGE} (only outside CI)",
)


def test_loading_the_fixtures_twice_duplicates_nothing(seed):
    call_command("loaddata", "seed", verbosity=0)
    assert Post.objects.count() == 1
    assert Comment.objects.count() == 15
    assert sorted(Comment.objects.values_list("number", flat=True)) == list(range(1, 16))


def test_statuses_are_as_on_the_page(seed):
    by_status = {}
    for number, status in Comment.objects.values_list("number", "status"):
        by_status.setdefault(status, []).append(number)
    assert sorted(by_status["spam"]) == [9]
    assert sorted(by_status["removed"]) == [11, 13]
    assert len(by_status["published"]) == 12


def test_removed_comments_carry_no_invented_content(seed):
    for comment in Comment.objects.filter(number__in=[11, 13]):
        assert (comment.body, comment.author_name, comment.author_url) == ("", "", "")


@needs_seed_page
def test_every_comment_text_is_exactly_as_on_the_seed_page(seed):
    page = seedpage.read()
    assert sorted(page.comments) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 15]
    for number, seed_comment in page.comments.items():
        assert Comment.objects.get(number=number).body == seed_comment.body, number


@needs_seed_page
def test_comment_ten_has_the_author_and_date_the_page_shows(seed):
    name, date = seedpage.byline_parts(seedpage.read().comments[10].byline)
    ten = Comment.objects.get(number=10)
    assert ten.author_name == name
    assert ten.created == datetime.strptime(date, "%B %d, %Y at %I:%M %p").replace(
        tzinfo=ten.created.tzinfo
    )


@needs_seed_page
def test_the_post_reads_as_on_the_seed_page(client, seed):
    page = seedpage.read()
    rendered = html(client.get(POST_URL))
    assert rendered.select_one(".date-header").get_text(strip=True) == page.date
    assert rendered.find("h1").get_text() == page.title
    paragraphs = [p.get_text() for p in rendered.select(".post-body p")]
    assert paragraphs == page.paragraphs + [page.citation]
