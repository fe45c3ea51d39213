"""Each worker keeps the pages it served last in its own memory and asks the shared cache whether
they changed at most every PAGE_CACHE_CHECK_MS: a change made through another server shows within
that time, one made through this worker at once, and a page that did not change is never fetched
again."""

import time
import uuid

import pytest
from conftest import POST_URL, post_comment
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.test import Client
from servers import Browser, Gunicorn, fresh_database, manage, prepare, production_env

from blog import pagecache
from blog.models import Post
from comments.models import Comment

CHECK_MS = 300


class CountingCache(LocMemCache):
    """Django's local-memory cache, counting the reads that would each be a round trip to a
    shared cache such as Redis."""

    reads = 0

    def get(self, key, default=None, version=None):
        self.reads += 1
        return super().get(key, default, version)

    def get_many(self, keys, version=None):
        self.reads += 1
        found = {}
        for key in keys:
            value = super().get(key, self, version)
            if value is not self:
                found[key] = value
        return found


@pytest.fixture
def copies(settings, seed):
    settings.PAGE_CACHE = True
    settings.PAGE_CACHE_CHECK_MS = CHECK_MS
    settings.CACHES = {"default": {"BACKEND": "test_worker_copies.CountingCache"}}
    cache.clear()
    pagecache.forget_copies()
    yield caches["default"]
    cache.clear()
    pagecache.forget_copies()


def another_server_touches(tag):
    """What touch() on another server writes to the shared cache: the tag's new version (here,
    where it does not also forget this worker's copies)."""
    cache.set(f"pagecache:tag:{tag}", uuid.uuid4().hex, None)


def kept(client, url):
    """Have this worker keep its own copy of `url`: rendered once, then served by the shared
    cache, which is when a worker keeps a copy."""
    assert client.get(url)["X-Cache"] == "miss"
    assert client.get(url)["X-Cache"] == "hit"


def test_a_kept_page_is_served_without_asking_the_cache_until_the_check_time_is_up(
    client, copies, django_assert_num_queries
):
    kept(client, POST_URL)
    checked = time.monotonic()
    copies.reads = 0
    with django_assert_num_queries(0):
        for _ in range(5):
            assert client.get(POST_URL)["X-Cache"] == "hit"
    assert copies.reads == 0
    assert time.monotonic() - checked < CHECK_MS / 1000  # else the machine was too slow to tell

    time.sleep(CHECK_MS / 1000)
    assert client.get(POST_URL)["X-Cache"] == "hit"
    # The tags' versions, in one read, and not the page's bytes: nothing changed.
    assert copies.reads == 1
    assert client.get(POST_URL)["X-Cache"] == "hit"
    assert copies.reads == 1


def test_a_change_through_another_server_shows_once_the_check_time_is_up(client, copies, seed):
    kept(client, POST_URL)
    checked = time.monotonic()
    # Another server marks comment 12 as spam: its row changes, and its touch() gives the post's
    # tag a new version in the shared cache.
    Comment.objects.filter(post=seed, number=12).update(status=Comment.Status.SPAM)
    another_server_touches(Post.page_tag(seed.slug))
    page = client.get(POST_URL)
    assert time.monotonic() - checked < CHECK_MS / 1000  # else the machine was too slow to tell
    assert page["X-Cache"] == "hit" and "Tysabri" in page.content.decode()

    time.sleep(max(0.0, checked + CHECK_MS / 1000 - time.monotonic()))
    page = client.get(POST_URL)
    assert page["X-Cache"] == "miss"
    assert "Tysabri" not in page.content.decode()


def test_the_reader_who_just_posted_and_everyone_on_their_server_see_the_comment_at_once(
    client, copies, seed, settings
):
    settings.PAGE_CACHE_CHECK_MS = 60_000  # only the change itself can refresh the copy
    kept(client, POST_URL)
    poster = Client()
    text = "Thank you for explaining the Norwegian rituximab study and its B cells."
    response = post_comment(poster, seed, body=text)
    assert Comment.objects.get(body=text).status == Comment.Status.PUBLISHED
    assert text in poster.get(response["Location"]).content.decode()
    page = client.get(POST_URL)
    assert page["X-Cache"] == "miss"
    assert text in page.content.decode()


def test_a_worker_keeps_at_most_page_cache_local_pages_the_least_recently_served_dropped(
    client, copies, settings
):
    settings.PAGE_CACHE_CHECK_MS = 60_000
    settings.PAGE_CACHE_LOCAL_PAGES = 2
    kept(client, POST_URL)
    kept(client, "/")
    client.get(POST_URL)  # the index is now the least recently served
    kept(client, "/archive/")
    copies.reads = 0
    client.get(POST_URL)
    client.get("/archive/")
    assert copies.reads == 0
    assert client.get("/")["X-Cache"] == "hit"  # from the shared cache again
    assert copies.reads == 1
    assert len(pagecache._copies) == 2


def test_with_page_cache_local_pages_0_every_request_asks_the_shared_cache(
    client, copies, settings
):
    settings.PAGE_CACHE_LOCAL_PAGES = 0
    kept(client, POST_URL)
    copies.reads = 0
    for _ in range(3):
        assert client.get(POST_URL)["X-Cache"] == "hit"
    assert copies.reads == 3


SLACK = 1.0  # seconds: a request, and a busy machine


@pytest.fixture
def two_workers(tmp_path):
    with fresh_database("copies") as database:
        env = production_env(
            database,
            tmp_path,
            WEB_CONCURRENCY="1",  # one worker each: two processes whose requests we tell apart
            MODERATION_POLICY="hold-all",
            PAGE_CACHE_CHECK_MS=str(CHECK_MS),
        )
        prepare(env)
        servers = [Gunicorn(env), Gunicorn(env)]
        try:
            yield env, servers
        finally:
            for server in servers:
                server.stop()


def test_a_comment_approved_elsewhere_shows_in_every_worker_within_the_check_time(two_workers):
    env, (a, b) = two_workers
    text = f"Held, then approved by the owner ({uuid.uuid4().hex[:6]})."
    posted = Browser().post(
        a.url + "/comments/post/1/", {"body": text, "author_name": "Kari"}, a.url + POST_URL
    )
    assert posted.status == 302
    for server in (a, b):  # each worker keeps its own copy of the page, without the comment
        for _ in range(3):
            page = Browser().get(server.url + POST_URL)
        assert page.headers["X-Cache"] == "hit" and text not in page.text

    manage(
        env,
        "shell",
        "-c",
        "from comments.models import Comment; from moderation.models import Decision; "
        f"Decision.objects.change(Comment.objects.filter(body={text!r}), 'published')",
    )
    approved = time.monotonic()
    for server in (a, b):
        while text not in Browser().get(server.url + POST_URL).text:
            assert time.monotonic() - approved < CHECK_MS / 1000 + SLACK, server.url
            time.sleep(0.02)
