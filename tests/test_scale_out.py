"""Two app servers, one database, one cache: what happens through one shows on the other at once."""

import uuid

import pytest
from servers import Browser, Gunicorn, fresh_database, manage, prepare, production_env

POST_PATH = "/2009/11/norwegian-study-offers-clues/"


@pytest.fixture
def two_servers(tmp_path):
    with fresh_database("scaleout") as database:
        env = production_env(
            database,
            tmp_path,
            WEB_CONCURRENCY="2",
            MODERATION_POLICY="hold-all",  # the comment waits for the owner on the other server
            PAGE_CACHE_CHECK_MS="0",  # each request asks the shared cache: "at once" means it
        )
        prepare(env)
        manage(
            env,
            "shell",
            "-c",
            "from django.contrib.auth.models import User; "
            "User.objects.create_superuser('owner', 'owner@example.org', 'a long pass phrase')",
        )
        servers = [Gunicorn(env), Gunicorn(env)]
        try:
            yield servers
        finally:
            for server in servers:
                server.stop()


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
