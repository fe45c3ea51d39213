"""A 500 leaves a trace: its traceback on the server's stderr, where gunicorn and systemd keep
it, and a report mailed to ADMINS when set, queued like all the blog's mail."""

import sqlite3

from servers import Browser, Gunicorn, manage, prepare, sqlite_env

POST_PATH = "/2009/11/norwegian-study-offers-clues/"


def serve_a_broken_page(env, tmp_path):
    """Start gunicorn on a database where a post's setting makes no sense (its comments close
    after "soon" days), fetch the post's page, and return (the page, the server's stderr)."""
    prepare(env)
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        db.execute("UPDATE blog_post SET commenting = 'closing', close_after_days = 'soon'")
    server = Gunicorn(env)
    try:
        page = Browser().get(server.url + POST_PATH)
    finally:
        server.stop()
    return page, server.errors()


def test_a_500_is_logged_with_its_traceback_on_the_servers_stderr(tmp_path):
    page, log = serve_a_broken_page(sqlite_env(tmp_path, WEB_CONCURRENCY="1"), tmp_path)
    assert page.status == 500 and "has made a note of it" in page.text
    assert f"ERROR django.request: Internal Server Error: {POST_PATH}" in log
    assert "Traceback (most recent call last)" in log


def test_admins_get_the_report_by_mail_once_the_worker_runs(tmp_path, smtp):
    port, inbox = smtp
    env = sqlite_env(
        tmp_path,
        WEB_CONCURRENCY="1",
        ADMINS="oncall@example.org",
        EMAIL_URL=f"smtp://127.0.0.1:{port}",
    )
    page, _ = serve_a_broken_page(env, tmp_path)
    assert page.status == 500
    assert inbox == []  # queued by the failing request, not sent from it
    manage(env, "db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval=0")
    (report,) = inbox
    assert report["To"] == "oncall@example.org"
    assert report["Subject"].startswith("[Django] ERROR (EXTERNAL IP): Internal Server Error")
    assert "Traceback (most recent call last)" in report.get_content()
