"""Requests no browser of ours sends but the internet does: each gets a clean 4xx page that
says what was wrong, or its plain answer, never a 500; and none leaves noise in the logs."""

import urllib.request

from conftest import POST_URL, html
from django.test import Client
from servers import Gunicorn, prepare, production_env

from comments.models import Comment


def test_a_form_declared_latin_1_with_a_csrf_cookie_is_a_clean_400(seed, settings):
    browser = Client(enforce_csrf_checks=True, raise_request_exception=False)
    browser.cookies[settings.CSRF_COOKIE_NAME] = "x" * 32
    response = browser.post(
        f"/comments/post/{seed.pk}/",
        b"author_name=A&body=caf%E9",
        content_type="application/x-www-form-urlencoded; charset=latin-1",
    )
    assert response.status_code == 400
    assert "not in UTF-8" in html(response).find("main").get_text()
    assert Comment.objects.count() == 15


def test_text_sent_as_raw_bytes_that_are_not_utf8_is_refused_not_stored_garbled(client, seed):
    response = client.post(
        f"/comments/post/{seed.pk}/",
        "author_name=Bytes&body=caf\xe9 au lait".encode("latin-1"),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert "not in UTF-8" in html(response).find("main").get_text()
    assert not Comment.objects.filter(author_name="Bytes").exists()


def test_healthz_answers_whatever_host_the_probe_names(db):
    response = Client(HTTP_HOST="10.0.0.7:8000").get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok"}


def test_a_page_asked_for_under_a_foreign_host_says_so_and_not_comment_length(db):
    response = Client(HTTP_HOST="evil.example").get(POST_URL)
    assert response.status_code == 400
    text = html(response).find("main").get_text()
    assert "site name" in text
    assert "characters" not in text


def test_a_head_request_gets_the_headers_and_no_body_and_logs_nothing(tmp_path):
    env = production_env(
        f"sqlite:///{tmp_path / 'head.sqlite3'}", tmp_path, CACHE_URL="locmemcache://"
    )
    prepare(env)
    server = Gunicorn(env)
    try:
        get = urllib.request.urlopen(server.url + POST_URL, timeout=10)
        length = get.headers["Content-Length"]
        assert length == str(len(get.read()))
        head = urllib.request.urlopen(
            urllib.request.Request(server.url + POST_URL, method="HEAD"), timeout=10
        )
        assert head.status == 200 and head.headers["Content-Length"] == length
        assert head.read() == b""
    finally:
        server.stop()
    log = server.errors()
    assert "HEAD" not in log, log
