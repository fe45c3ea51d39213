"""The embedded setup (SQLite, no CACHE_URL) under several processes: what one worker learns,
every other worker on the machine knows at once, because the default cache is shared by them."""

import time

import pytest
from servers import Browser, Gunicorn, manage, prepare, sqlite_env

POST_PATH = "/2009/11/norwegian-study-offers-clues/"


@pytest.fixture
def two_workers(tmp_path):
    """Two gunicorns of one worker each on the same SQLite file: two processes whose requests
    we can tell apart, like two workers of one gunicorn."""
    env = sqlite_env(tmp_path, WEB_CONCURRENCY="1", COMMENTS_PER_MINUTE="4")
    prepare(env)
    servers = [Gunicorn(env), Gunicorn(env)]
    try:
        yield env, servers
    finally:
        for server in servers:
            server.stop()


def post(server, name, body):
    return Browser().post(
        server.url + "/comments/post/1/",
        {"body": body, "author_name": name},
        server.url + POST_PATH,
    )


def reasons(env, body):
    return manage(
        env,
        "shell",
        "-v",
        "0",
        "-c",
        "from comments.models import Comment; "
        f"print(Comment.objects.get(body={body!r}).assessment.reasons)",
    ).stdout


def test_a_new_blocklist_entry_holds_in_every_worker(two_workers):
    env, (a, b) = two_workers
    # Both workers read (and keep) the blocklists while scoring a comment.
    assert post(a, "Solveig", "A first reader's thanks for the summary.").status == 302
    assert post(b, "Solveig", "A second reader's thanks for the summary.").status == 302
    # The owner blocks a name; saving the entry forgets the lists in the cache it shares.
    manage(
        env,
        "shell",
        "-c",
        "from moderation.models import Blocked; "
        "Blocked.objects.create(kind='name', value='mallory')",
    )
    for server, body in ((a, "Mallory through A."), (b, "Mallory through B.")):
        assert post(server, "Mallory", body).status == 302
        assert "name on the blocklist" in reasons(env, body), server.url


def test_the_comment_limit_counts_every_workers_comments(two_workers):
    env, (a, b) = two_workers
    if time.time() % 60 > 50:  # the count is per clock minute: start in a fresh one
        time.sleep(61 - time.time() % 60)
    assert post(a, "Ada", "One, through A.").status == 302
    assert post(a, "Ada", "Two, through A.").status == 302
    assert post(b, "Ada", "Three, through B.").status == 302
    assert post(b, "Ada", "Four, through B.").status == 302
    assert post(b, "Ada", "Five, through B: one too many.").status == 429
    assert post(a, "Ada", "Six, through A: one too many.").status == 429
