"""Pages readers hit come from the shared cache, revalidate with 304, and change the moment
a comment they show does; the owner and readers with a message always get fresh pages."""

import time
from datetime import timedelta

import pytest
from conftest import POST_URL, comment_number, html, post_comment
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from comments.models import Comment
from moderation.models import Decision


@pytest.fixture
def page_cache(settings, seed):
    settings.PAGE_CACHE = True
    settings.MODERATION_POLICY = "hold-all"  # new comments wait, until a test approves them
    cache.clear()
    yield
    cache.clear()


def test_a_repeat_reader_is_served_from_the_cache(client, page_cache, django_assert_num_queries):
    assert client.get(POST_URL)["X-Cache"] == "miss"
    with django_assert_num_queries(0):
        response = client.get(POST_URL)
    assert response["X-Cache"] == "hit"
    assert html(response).find("li", id="c10") is not None


def test_a_repeat_visit_with_the_etag_gets_304(client, page_cache):
    first = client.get(POST_URL)
    assert first["ETag"] and first["Last-Modified"]
    again = client.get(POST_URL, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert again.content == b""


def test_approving_a_comment_refreshes_its_post_page_at_once(client, page_cache):
    etag = client.get(POST_URL)["ETag"]
    post_comment(Client(), Comment.objects.first().post, body="Fresh news from Bergen.")
    held = comment_number(16)
    assert "Fresh news" not in client.get(POST_URL).content.decode()

    Decision.objects.change(Comment.objects.filter(pk=held.pk), Comment.Status.PUBLISHED)
    response = client.get(POST_URL, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "Fresh news from Bergen." in html(response).find("li", id="c16").get_text()


@pytest.mark.parametrize("status", ["spam", "removed"])
def test_spam_and_removal_refresh_the_page_at_once(client, page_cache, status):
    assert "Tysabri" in client.get(POST_URL).content.decode()
    Decision.objects.change(Comment.objects.filter(number=12), status)
    assert "Tysabri" not in client.get(POST_URL).content.decode()


def test_a_held_comment_leaves_the_cached_page_alone(client, page_cache):
    client.get(POST_URL)
    post_comment(Client(), Comment.objects.first().post, body="Held back.")
    assert client.get(POST_URL)["X-Cache"] == "hit"


def test_a_change_to_one_post_keeps_the_other_posts_cached(client, page_cache, seed):
    from blog.models import Post

    other = Post.objects.create(title="Another", slug="another", body="Text.")
    other_url = other.get_absolute_url()
    client.get(other_url)
    Decision.objects.change(Comment.objects.filter(number=12), "spam")
    assert client.get(other_url)["X-Cache"] == "hit"
    assert client.get(POST_URL)["X-Cache"] == "miss"


def _token(response):
    return html(response).find("input", attrs={"name": "csrfmiddlewaretoken"})["value"]


def test_no_reader_gets_another_readers_csrf_token(page_cache):
    alice, bob = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    alices = _token(alice.get(POST_URL))
    response = bob.get(POST_URL)
    assert response["X-Cache"] == "hit"
    token = _token(response)
    assert token != alices
    assert alices not in response.content.decode()
    assert settings.CSRF_COOKIE_NAME in response.cookies  # bob got his own cookie with the page
    posted = bob.post(
        f"/comments/post/{comment_number(1).post_id}/",
        {"csrfmiddlewaretoken": token, "body": "From Bob.", "author_name": "Bob"},
    )
    assert posted.status_code == 302


def test_a_reader_with_a_message_gets_a_fresh_page_that_is_not_kept(client, page_cache):
    client.get(POST_URL)
    response = post_comment(client, Comment.objects.first().post, body="Mine.")
    page = client.get(response["Location"])
    assert page.get("X-Cache") != "hit"
    assert "awaiting moderation" in html(page).select_one("#messages").get_text()
    assert "awaiting moderation" not in Client().get(POST_URL).content.decode()


def test_the_logged_in_owner_always_sees_fresh_pages(admin_client, page_cache):
    admin_client.get(POST_URL)
    response = admin_client.get(POST_URL)
    assert "X-Cache" not in response


def test_made_up_query_strings_are_not_cached(client, page_cache):
    client.get(POST_URL + "?utm_source=x")
    assert "X-Cache" not in client.get(POST_URL + "?utm_source=x")


def test_the_index_is_cached_and_refreshed_by_comment_changes(client, page_cache):
    client.get("/")
    assert client.get("/")["X-Cache"] == "hit"
    Decision.objects.change(Comment.objects.filter(number=12), "spam")
    assert client.get("/")["X-Cache"] == "miss"


def test_each_host_gets_its_own_page(page_cache, settings):
    settings.ALLOWED_HOSTS = ["blog.example", "www.blog.example"]
    Client(HTTP_HOST="blog.example").get(POST_URL)
    response = Client(HTTP_HOST="www.blog.example").get(POST_URL)
    assert response["X-Cache"] == "miss"
    canonical = html(response).find("link", rel="canonical")["href"]
    assert canonical.startswith("http://www.blog.example/")


def test_no_cached_page_outlives_the_comment_form(client, page_cache):
    post = Comment.objects.first().post
    post.commenting = post.Commenting.CLOSING
    post.close_after_days = 1
    # Comments close two seconds from now.
    post.published = timezone.now() - timedelta(days=1) + timedelta(seconds=2)
    post.save()
    url = post.get_absolute_url()
    assert html(client.get(url)).find("form", id="comment-form") is not None
    assert client.get(url)["X-Cache"] == "hit"
    time.sleep(3.5)
    response = client.get(url)
    assert response["X-Cache"] == "miss"
    assert html(response).find("form", id="comment-form") is None
    assert "Comments are closed" in response.content.decode()


def test_with_redis_out_of_reach_readers_get_pages_and_comments_are_kept(client, settings, seed):
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",  # what settings.py makes of a redis:// CACHE_URL
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }
    settings.PAGE_CACHE = True
    settings.COMMENTS_PER_MINUTE = 5  # the limit's count lives in the cache too
    for _ in range(2):
        page = client.get(POST_URL)
        assert page.status_code == 200 and page["X-Cache"] == "miss"
    assert post_comment(client, seed, body="Written while the cache was down.").status_code == 302
    assert "Written while the cache was down." in Client().get(POST_URL).content.decode()
