"""Under load and faults (bounded, loopback only): every accepted comment is stored exactly once,
every refusal says so, no response is a 5xx; the server survives a killed worker and a database
that goes away and comes back. Each test runs gunicorn with the repo's gunicorn.conf.py."""

import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from http.client import HTTPException
from pathlib import Path

import psycopg
import pytest
import redis
from servers import (
    REDIS_URL,
    Browser,
    Gunicorn,
    free_port,
    fresh_database,
    prepare,
    production_env,
    require,
)

POST_PATH = "/2009/11/norwegian-study-offers-clues/"
PG_BIN = Path("/usr/lib/postgresql/15/bin")
# What a connection cut by a dying worker raises: refused, reset, timed out, or cut in the
# middle of a page (IncompleteRead, an HTTPException).
CUT_CONNECTION = (ConnectionError, urllib.error.URLError, TimeoutError, HTTPException)


@pytest.fixture
def shared_database():
    with fresh_database("load") as database:
        yield database


def load_env(database_url, tmp_path, **extra):
    return production_env(
        database_url,
        tmp_path,
        WEB_CONCURRENCY="3",
        COMMENTS_PER_MINUTE="0",  # every poster here comes from 127.0.0.1
        **extra,
    )


class Poster:
    """One reader posting comments through the real form, counting what the server said."""

    def __init__(self, url, name, answers):
        self.url, self.name, self.answers = url, name, answers
        self.browser = Browser()
        self.accepted = []

    def post(self, text):
        # A connection cut by a dying worker is retried, as a person would press Submit again.
        for _ in range(3):
            try:
                response = self.browser.post(
                    self.url + "/comments/post/1/",
                    {"body": text, "author_name": self.name},
                    self.url + POST_PATH,
                )
            except CUT_CONNECTION:
                self.answers["no answer, retried"] += 1
                time.sleep(0.2)
                continue
            self.answers[response.status] += 1
            if response.status == 302:
                self.accepted.append(text)
            elif response.status in (400, 429, 503):
                assert "<h1>" in response.text or "errorlist" in response.text  # says why
            return response.status
        return None


def run_posters(url, count, per_poster, answers, stop_reading):
    posters = [Poster(url, f"Poster {i}", answers) for i in range(count)]

    def work(poster, i):
        for n in range(per_poster):
            poster.post(f"Load comment {i}-{n} on B cells and rituximab.")

    threads = [threading.Thread(target=work, args=(p, i)) for i, p in enumerate(posters)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=240)
    stop_reading.set()
    return [text for poster in posters for text in poster.accepted]


def read_while(url, stop, answers):
    reader = Browser()
    while not stop.is_set():
        try:
            answers[reader.get(url + POST_PATH).status] += 1
        except CUT_CONNECTION:
            answers["reader: no answer"] += 1


def stored_texts(database_url):
    with psycopg.connect(database_url) as db:
        rows = db.execute(
            "SELECT body FROM comments_comment WHERE body LIKE 'Load comment %%'"
        ).fetchall()
    return [body for (body,) in rows]


def test_eight_posters_and_a_reader_with_a_worker_killed_midway(shared_database, tmp_path):
    env = load_env(shared_database, tmp_path)
    prepare(env)
    server = Gunicorn(env)
    answers, reads, stop = Counter(), Counter(), threading.Event()
    reader = threading.Thread(target=read_while, args=(server.url, stop, reads))
    reader.start()

    def kill_a_worker():
        time.sleep(3)
        children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
        os.kill(int(children.read_text().split()[0]), signal.SIGKILL)

    killer = threading.Thread(target=kill_a_worker)
    killer.start()
    try:
        accepted = run_posters(
            server.url, count=8, per_poster=63, answers=answers, stop_reading=stop
        )
        killer.join()
        reader.join(timeout=30)
        # The server still serves after losing a worker.
        assert urllib.request.urlopen(server.url + "/healthz", timeout=10).status == 200
    finally:
        server.stop()
    stored = stored_texts(shared_database)
    assert not [code for code in answers | reads if isinstance(code, int) and code >= 500]
    assert len(accepted) >= 490, answers  # a cut connection, retried, finds its first copy
    assert sorted(stored) == sorted(set(accepted)), "every accepted comment stored exactly once"
    assert reads[200] > 0


@pytest.fixture
def private_postgres(tmp_path):
    """A throwaway PostgreSQL cluster of our own on a free port, which the test may stop."""

    def runnable():
        if not (PG_BIN / "initdb").exists() or os.geteuid() != 0:
            raise RuntimeError(f"{PG_BIN}/initdb, run as root")

    require("a PostgreSQL server of our own", runnable)
    data = Path(tempfile.mkdtemp(prefix="blog-pg-"))
    shutil.chown(data, "postgres", "postgres")
    port = free_port()

    def pg(*args):
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *args], check=True, capture_output=True, timeout=60
        )

    pg(str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres")
    start = [
        str(PG_BIN / "pg_ctl"),
        "-D",
        str(data),
        "-w",
        "-o",
        f"-p {port} -k {data}",
        "start",
        "-l",
        str(data / "log"),
    ]
    stop = [str(PG_BIN / "pg_ctl"), "-D", str(data), "-w", "-m", "fast", "stop"]
    pg(*start)
    pg(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "blog")
    try:
        yield f"postgres://postgres@127.0.0.1:{port}/blog", lambda: pg(*stop), lambda: pg(*start)
    finally:
        subprocess.run(["runuser", "-u", "postgres", "--", *stop], capture_output=True)
        shutil.rmtree(data, ignore_errors=True)


def test_the_database_going_away_and_coming_back(private_postgres, tmp_path):
    require("Redis", lambda: redis.Redis.from_url(REDIS_URL, socket_timeout=3).ping())
    database_url, stop_database, start_database = private_postgres
    redis.Redis.from_url(REDIS_URL).flushdb()
    env = load_env(database_url, tmp_path, PAGE_CACHE="false")
    prepare(env)
    server = Gunicorn(env)
    answers = Counter()
    poster = Poster(server.url, "Steady", answers)
    try:
        for n in range(10):
            assert poster.post(f"Load comment before {n}.") == 302
        stop_database()
        outage = Browser()
        page = outage.get(server.url + POST_PATH)
        assert page.status == 503 and page.headers["Retry-After"] == "30"
        assert "try again in a minute" in page.text
        health = outage.get(server.url + "/healthz")
        assert health.status == 503 and "database" in health.text
        # The form is still in the reader's browser: sending it now is refused, saying so.
        refused = poster.browser._open(
            urllib.request.Request(
                server.url + "/comments/post/1/",
                data=b"body=During+the+outage",
                headers={"Referer": server.url + POST_PATH, "Sec-Fetch-Site": "same-origin"},
            )
        )
        assert refused.status == 503
        assert "could not be saved just now" in refused.text
        start_database()
        deadline = time.monotonic() + 30
        while Browser().get(server.url + "/healthz").status != 200:
            assert time.monotonic() < deadline, "the service did not come back by itself"
            time.sleep(0.5)
        for n in range(5):
            assert poster.post(f"Load comment after {n}.") == 302
    finally:
        server.stop()
    assert not [code for code in answers if isinstance(code, int) and code >= 500 and code != 503]
    assert sorted(stored_texts(database_url)) == sorted(poster.accepted)
