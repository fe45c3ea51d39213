"""Pages readers hit come from the shared cache, revalidate with 304, and change the moment
a comment they show does; the owner and readers with a message always get fresh pages."""

import shutil
import subprocess
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from conftest import POST_URL, comment_number, html, post_comment
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils import timezone
from servers import free_port, require

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


def test_every_anonymous_reader_gets_the_same_bytes_and_no_cookie(page_cache):
    alice, bob = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    alices, bobs = alice.get(POST_URL), bob.get(POST_URL)
    assert (alices["X-Cache"], bobs["X-Cache"]) == ("miss", "hit")
    assert alices.content == bobs.content
    assert not alices.cookies and not bobs.cookies
    # The form on that page posts as it is, for each of them.
    form = html(bobs).find("form", id="comment-form")
    posted = bob.post(
        form["action"],
        {"body": "From Bob.", "author_name": "Bob"},
        headers={"Sec-Fetch-Site": "same-origin"},
    )
    assert posted.status_code == 302


def test_with_the_page_cache_off_too_every_anonymous_reader_gets_the_same_bytes(seed):
    alices, bobs = Client().get(POST_URL), Client().get(POST_URL)
    assert alices.content == bobs.content
    assert not alices.cookies and not bobs.cookies


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


@pytest.mark.django_db(transaction=True)
def test_a_reader_during_a_change_does_not_keep_the_old_page_under_the_new_version(page_cache):
    from django.db import connection, transaction

    if connection.vendor == "sqlite":
        pytest.skip("needs PostgreSQL: SQLite's one writer blocks the concurrent reader")
    during = {}

    def reader():
        # Another thread is another connection: it sees only what is committed.
        try:
            during["page"] = Client().get(POST_URL).content.decode()
        finally:
            connection.close()

    with transaction.atomic():
        Decision.objects.change(Comment.objects.filter(number=12), Comment.Status.SPAM)
        thread = threading.Thread(target=reader)
        thread.start()
        thread.join()
    assert "Tysabri" in during["page"]  # the reader rendered the rows before the commit
    assert "Tysabri" not in Client().get(POST_URL).content.decode()


def test_a_page_is_one_entry_however_its_address_is_written(client, page_cache):
    assert client.get("/?page=1")["X-Cache"] == "miss"
    for same in ("/", "/?page=%31"):
        assert client.get(same)["X-Cache"] == "hit"


@pytest.mark.parametrize(
    "address",
    [
        "/?page=01",
        "/?page=001",
        "/?page=\u0661",  # Arabic-Indic one
        "/?page=1&page=1",
        POST_URL + "?page=01",
        "/archive/?page=x7",
        "/archive/?page=1",
        "/feeds/posts/?page=abc",
        "/feeds/comments/?page=2",
        "/2031/",
        "/2031/05/",
    ],
)
def test_an_address_naming_no_page_is_not_found_and_not_kept(client, page_cache, address):
    for _ in range(2):
        response = client.get(address)
        assert response.status_code == 404
        assert response.get("X-Cache") != "hit"


@pytest.fixture
def full_redis(page_cache):
    """A Redis server of our own that takes no more writes, as one does when it is full and runs
    with the default policy (noeviction)."""
    require("redis-server", lambda: Path(shutil.which("redis-server") or "redis-server").stat())
    port = free_port()
    server = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--maxmemory",
            "1",
            "--maxmemory-policy",
            "noeviction",
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        location = f"redis://127.0.0.1:{port}/0"
        client = redis.Redis.from_url(location)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        with pytest.raises(redis.exceptions.OutOfMemoryError):
            client.set("probe", "x")
        full = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": location}
        with override_settings(CACHES={"default": full}):
            yield
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_cache_that_takes_no_writes_still_serves_every_page(client, full_redis):
    for _ in range(2):
        response = client.get(POST_URL)
        assert response.status_code == 200
        assert response["X-Cache"] == "miss"
        assert html(response).find("li", id="c10") is not None


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


def test_a_change_to_a_post_or_its_comment_refreshes_the_tags_its_page_and_the_index_name(
    client, page_cache, seed
):
    post_page = client.get(POST_URL)["Surrogate-Key"].split()
    index = client.get("/")["Surrogate-Key"].split()
    assert seed.cache_tags() == post_page
    comment = Comment.objects.filter(post=seed).first()
    assert set(comment.cache_tags()) & set(post_page)
    assert set(comment.cache_tags()) & set(index)
