"""A popular post: the page costs the same few queries at any length, long threads paginate
between threads, and every comment stays reachable by its permalink."""

import pytest
from conftest import POST_URL, comment_form_data, comment_number, html

from bench.bigthread import build
from comments import tree
from comments.models import Comment

# The post with its neighbours, its labels, the thread's shape, the page's comments.
POST_PAGE_QUERIES = 4


def shown(response):
    return [int(li["id"][1:]) for li in html(response).select("ol.thread li[id^=c]")]


@pytest.mark.parametrize("extra", [0, 4985])
def test_the_post_page_costs_the_same_queries_at_15_and_5000_comments(
    client, seed, django_assert_num_queries, extra
):
    build(seed, extra)
    assert Comment.objects.filter(post=seed).count() == 15 + extra
    with django_assert_num_queries(POST_PAGE_QUERIES):
        response = client.get(POST_URL)
    assert response.status_code == 200


def test_a_long_thread_is_split_into_pages_between_threads(client, seed, settings):
    settings.COMMENTS_PER_PAGE = 5
    # Threads in reading order: 1 (3), 2 (4, 14, 15), 5 (6), 7, 8, 10, 11, 12, 13.
    assert shown(client.get(POST_URL)) == [1, 3, 2, 4, 14, 15]
    assert shown(client.get(POST_URL + "?page=2")) == [5, 6, 7, 8, 10]
    assert shown(client.get(POST_URL + "?page=3")) == [11, 12, 13]
    nav = html(client.get(POST_URL + "?page=2")).select_one("nav.comment-pages")
    assert [a.get_text() for a in nav.select("a")] == ["1", "2", "3"]
    assert nav.select_one("a[aria-current=page]").get_text() == "2"
    assert html(client.get(POST_URL)).select_one("#comments-heading").get_text() == "12 comments"


def test_a_short_thread_has_no_page_links(client, seed):
    assert html(client.get(POST_URL)).select_one("nav.comment-pages") is None


@pytest.mark.parametrize("page", ["0", "4", "abc", "-1", "2.0", "²", "١"])
def test_a_page_of_comments_that_does_not_exist_is_not_found(client, seed, settings, page):
    settings.COMMENTS_PER_PAGE = 5
    assert client.get(f"{POST_URL}?page={page}").status_code == 404


def test_a_permalink_leads_to_the_page_that_shows_the_comment(client, seed, settings):
    settings.COMMENTS_PER_PAGE = 5
    response = client.get(comment_number(10).get_absolute_url())
    assert response.status_code == 302
    assert response["Location"] == POST_URL + "?page=2#c10"
    assert client.get(comment_number(3).get_absolute_url())["Location"] == POST_URL + "#c3"


def test_every_visible_comment_of_the_seed_is_reachable_by_its_permalink(client, seed, settings):
    settings.COMMENTS_PER_PAGE = 3
    for comment in Comment.objects.visible():
        target = client.get(comment.get_absolute_url())["Location"]
        assert comment.number in shown(client.get(target)), target


def test_every_one_of_5000_comments_is_on_exactly_one_page(client, seed):
    made = build(seed, 4985)
    seen, page = [], 1
    while True:
        response = client.get(f"{POST_URL}?page={page}")
        if response.status_code == 404:
            break
        numbers = shown(response)
        assert len(numbers) <= 200 + 100, "a page holds about COMMENTS_PER_PAGE comments"
        seen += numbers
        page += 1
    assert page > 20
    assert sorted(seen) == sorted([c.number for c in Comment.objects.filter(post=seed).visible()])
    deep = made[-1]
    location = client.get(deep.get_absolute_url())["Location"]
    assert deep.number in shown(client.get(location))


def test_the_thread_and_every_link_into_it_page_by_one_rule(
    client, seed, settings, django_assert_num_queries
):
    settings.COMMENTS_PER_PAGE = 3
    shape = list(seed.comments.visible().thread_shape())
    pages = tree.page(shape).count
    assert pages > 3
    for comment in Comment.objects.filter(post=seed).visible().select_related("post"):
        number = tree.page(shape, showing=comment.pk).number
        assert comment.number in shown(client.get(f"{POST_URL}?page={number}"))
        with django_assert_num_queries(1):  # the thread's shape; the post came with the comment
            location = comment.located_url()
        assert location.startswith(f"{POST_URL}?page={number}#" if number > 1 else f"{POST_URL}#")
    assert tree.page(shape, asked=str(pages + 1)) is None


def test_the_reply_link_opens_the_form_on_the_page_of_its_comment(client, seed, settings):
    settings.COMMENTS_PER_PAGE = 5
    page = html(client.get(POST_URL + "?page=2"))
    link = page.find("li", id="c10").select_one(".comment-actions a")
    response = client.get(link["href"])
    assert response["Location"] == POST_URL + "?page=2&replyto=10#comment-form"
    form_page = html(client.get(response["Location"]))
    assert form_page.find("li", id="c10").find("form") is not None


def test_a_reply_sent_back_with_errors_opens_on_its_parents_page(client, seed, settings):
    settings.COMMENTS_PER_PAGE = 5
    ten = comment_number(10)
    response = client.post(
        f"/comments/post/{seed.pk}/", comment_form_data(parent=str(ten.pk), author_name="N" * 101)
    )
    assert response.status_code == 400
    assert html(response).find("li", id="c10").find("form") is not None


def test_a_reply_link_to_a_comment_that_does_not_exist_is_not_found(client, seed):
    assert client.get(f"/comments/post/{seed.pk}/reply/99/").status_code == 404


def test_comments_written_without_save_still_show(client, seed):
    Comment.objects.filter(number=10).update(html="")
    ten = html(client.get(POST_URL)).find("li", id="c10")
    assert ten.select_one(".comment-author").get_text() == "XMRV Positive in the UK"


def test_render_comments_refreshes_the_stored_html(seed, settings):
    from django.core.management import call_command

    Comment.objects.filter(number=10).update(html="")
    settings.TIME_ZONE = "Europe/Oslo"
    call_command("render_comments", verbosity=0)
    assert "March 18, 2010 at 11:06 AM" in comment_number(10).html
