"""What a cache in front of the blog may keep: anonymous pages, for a second, named by their tags;
never one person's page. Debian's nginx, configured as README's "Deploying" says, in front of
gunicorn: a change shows through it within a second, and no page with a cookie or a message for
one reader is ever served to another."""

import os
import subprocess
import time
from pathlib import Path

import pytest
from conftest import POST_URL, html, post_comment
from django.test import Client
from servers import Browser, Gunicorn, free_port, manage, prepare, require, sqlite_env

NGINX = Path("/usr/sbin/nginx")
CHECK_MS = 100  # the deployed default of PAGE_CACHE_CHECK_MS


@pytest.fixture
def page_cache(settings, seed):
    settings.PAGE_CACHE = True


def test_an_anonymous_page_may_be_kept_by_any_cache_for_a_second(client, page_cache):
    response = client.get(POST_URL)
    directives = [d.strip() for d in response["Cache-Control"].split(",")]
    assert directives[:3] == ["public", "max-age=0", "s-maxage=1"]
    assert directives[3].startswith("stale-while-revalidate=")
    assert response["Surrogate-Key"].split() == ["posts", "post:norwegian-study-offers-clues"]
    assert client.get("/")["Surrogate-Key"].split() == ["posts", "comments"]


def test_pages_for_a_signed_in_person_or_with_a_message_are_kept_by_no_cache(
    admin_client, page_cache, seed
):
    assert admin_client.get(POST_URL)["Cache-Control"] == "private, no-store"
    reader = Client()
    post_comment(reader, seed, body="Mine alone.")
    page = reader.get(POST_URL)
    assert "Your comment" in html(page).select_one("#messages").get_text()
    assert page["Cache-Control"] == "private, no-store"
    assert "Surrogate-Key" not in page


def nginx_conf(prefix, port, upstream):
    # README's proxy block on plain HTTP, with its paths in `prefix`.
    user = "user root;" if os.geteuid() == 0 else ""
    return f"""
{user}
worker_processes 1;
pid {prefix}/nginx.pid;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    proxy_cache_path {prefix}/cache levels=1:2 keys_zone=blog:10m max_size=100m inactive=10m
                     use_temp_path=off;
    server {{
        listen 127.0.0.1:{port};
        server_name 127.0.0.1;
        client_max_body_size 1m;
        location / {{
            proxy_pass {upstream};
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_cache blog;
            proxy_cache_key $scheme$host$request_uri;
            proxy_cache_bypass $http_cookie;
            proxy_no_cache $http_cookie;
            proxy_cache_lock on;
            proxy_cache_use_stale updating;
            add_header X-Cache-Status $upstream_cache_status always;
        }}
    }}
}}
"""


@pytest.fixture
def nginx_in_front(tmp_path):
    require("Debian's nginx (apt-get install nginx)", lambda: NGINX.stat())
    env = sqlite_env(
        tmp_path, PAGE_CACHE="true", PAGE_CACHE_CHECK_MS=str(CHECK_MS), MODERATION_POLICY="hold-all"
    )
    prepare(env)
    server = Gunicorn(env)
    port = free_port()
    (tmp_path / "nginx.conf").write_text(nginx_conf(tmp_path, port, server.url))
    nginx = subprocess.Popen(
        [
            NGINX,
            "-p",
            tmp_path,
            "-c",
            tmp_path / "nginx.conf",
            "-e",
            tmp_path / "error.log",
            "-g",
            "daemon off;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while not _answers(url + "/healthz"):
            assert nginx.poll() is None, nginx.stderr.read().decode()
            assert time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.2)
        yield env, url
    finally:
        nginx.terminate()
        nginx.wait(timeout=30)
        server.stop()


def _answers(url):
    try:
        return Browser().get(url).status == 200
    except OSError:
        return False


def test_through_nginx_a_change_shows_within_a_second_and_no_ones_page_is_kept(nginx_in_front):
    env, url = nginx_in_front
    page = url + POST_URL
    assert Browser().get(page).headers["X-Cache-Status"] == "MISS"
    assert Browser().get(page).headers["X-Cache-Status"] == "HIT"

    poster = Browser()
    sent = poster.post(
        url + "/comments/post/1/", {"body": "Seen through nginx.", "author_name": "Edda"}, page
    )
    assert sent.status == 302
    # The poster's page, with its message and the cookie that clears it, is theirs alone.
    theirs = poster.get(page)
    assert "awaiting moderation" in theirs.text
    assert theirs.headers["Set-Cookie"] and theirs.headers["X-Cache-Status"] != "HIT"
    for _ in range(2):
        anyone = Browser().get(page)
        assert "awaiting moderation" not in anyone.text
        assert anyone.headers["Set-Cookie"] is None

    manage(
        env,
        "shell",
        "-c",
        "from comments.models import Comment; from moderation.models import Decision; "
        "Decision.objects.change(Comment.objects.filter(body='Seen through nginx.'), 'published')",
    )
    published = time.monotonic()
    # The copy nginx holds was fresh for one second: any request after that sees the change.
    # nginx keeps a page a second, and the worker behind it its own copy PAGE_CACHE_CHECK_MS.
    time.sleep(max(0.0, published + 1.05 + CHECK_MS / 1000 - time.monotonic()))
    assert "Seen through nginx." in Browser().get(page).text
