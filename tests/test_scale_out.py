"""Two app servers, one database, one cache: what happens through one shows on the other at once."""

import os
import secrets
import uuid

import psycopg
import pytest
import redis
from servers import POSTGRES_URL, REDIS_URL, Browser, Gunicorn, manage, require

POST_PATH = "/2009/11/norwegian-study-offers-clues/"


@pytest.fixture
def two_servers(tmp_path):
    require("PostgreSQL", lambda: psycopg.connect(POSTGRES_URL, connect_timeout=3).close())
    require("Redis", lambda: redis.Redis.from_url(REDIS_URL, socket_timeout=3).ping())
    name = f"blog_scaleout_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    redis.Redis.from_url(REDIS_URL).flushdb()
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}",
        "CACHE_URL": REDIS_URL,
        "STATIC_ROOT": str(tmp_path / "static"),
        "WEB_CONCURRENCY": "2",
        "MODERATION_POLICY": "hold-all",  # the comment waits for the owner on the other server
        # Plain HTTP on loopback: no TLS proxy in front of these two.
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "BEHIND_TLS_PROXY": "false",
    }
    servers = []
    try:
        manage(env, "migrate", "--noinput")
        manage(env, "loaddata", "seed")
        manage(env, "collectstatic", "--noinput")
        manage(
            env,
            "shell",
            "-c",
            "from django.contrib.auth.models import User; "
            "User.objects.create_superuser('owner', 'owner@example.org', 'a long pass phrase')",
        )
        servers = [Gunicorn(env), Gunicorn(env)]
        yield servers
    finally:
        for server in servers:
            server.stop()
        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_comment_posted_on_one_server_and_approved_on_the_other_shows_on_both_at_once(
    two_servers,
):
    a, b = two_servers
    reader, owner = Browser(), Browser()
    # Both servers have the page cached before anything changes.
    for server in (a, b):
        assert reader.get(server.url + POST_PATH).status == 200
        assert reader.get(server.url + POST_PATH).headers["X-Cache"] == "hit"

    text = f"Posted through A, approved through B ({uuid.uuid4().hex[:6]})."
    posted = reader.post(
        a.url + "/comments/post/1/", {"body": text, "author_name": "Scale"}, a.url + POST_PATH
    )
    assert posted.status == 302
    assert text not in reader.get(a.url + POST_PATH).text  # held for moderation

    login = owner.post(
        b.url + "/admin/login/?next=/admin/",
        {"username": "owner", "password": "a long pass phrase", "next": "/admin/"},
        b.url + "/admin/login/",
    )
    assert login.status == 302
    queue = b.url + "/admin/comments/comment/?status__exact=pending"
    held = owner.get(queue).text
    pk = held.split('name="_selected_action" value="')[1].split('"')[0]
    approved = owner.post(
        b.url + "/admin/comments/comment/?status__exact=pending",
        {"action": "approve", "_selected_action": pk},
        queue,
    )
    assert approved.status == 302

    for server in (a, b):
        page = Browser().get(server.url + POST_PATH)
        assert 'id="c16"' in page.text, server.url
        assert text in page.text, server.url
    # The owner, logged in, sees it too, never a cached page.
    assert text in owner.get(a.url + POST_PATH).text
