"""Under load and faults (bounded, loopback only): every accepted comment is stored exactly once,
every refusal says so, no response is a 5xx; the server survives a killed worker, a database
that goes away and comes back, and Redis and the mail worker stopped and restarted. Each test
runs gunicorn with the repo's gunicorn.conf.py."""

import os
import shutil
import signal
import subprocess
import sys
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
    ROOT,
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
        **{
            "WEB_CONCURRENCY": "3",
            "COMMENTS_PER_MINUTE": "0",  # every poster here comes from 127.0.0.1
            **extra,
        },
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


class PrivateRedis:
    """A redis-server of our own on a free port, keeping nothing on disk, which a test may stop."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis.from_url(self.url, socket_timeout=1).ping()
                return
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.1)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def private_redis():
    def installed():
        if shutil.which("redis-server") is None:
            raise FileNotFoundError("redis-server is not on PATH")

    require("redis-server", installed)
    server = PrivateRedis()
    server.start()
    try:
        yield server
    finally:
        server.stop()


class MailWorker:
    """`manage.py db_worker`, as the blog-worker service runs it; stopped as systemd stops it."""

    def __init__(self, env):
        self.env, self.process = env, None

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval=0.2"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def test_redis_and_the_mail_worker_stopped_and_restarted_under_load(
    shared_database, private_redis, smtp, tmp_path
):
    smtp_port, inbox = smtp
    env = load_env(
        shared_database,
        tmp_path,
        CACHE_URL=private_redis.url,  # PAGE_CACHE is on by default with Redis
        # Every read asks Redis, so that its going away shows at once: a worker's own copy would
        # otherwise serve a hit for PAGE_CACHE_CHECK_MS after Redis stopped, as it may.
        PAGE_CACHE_CHECK_MS="0",
        COMMENTS_PER_MINUTE="100000",  # counted in Redis, never reached
        MODERATION_POLICY="hold-all",  # each comment waits, and the owner is told by mail
        OWNER_EMAIL="owner@example.org",
        MODERATION_MAIL_WINDOW="2",  # digests every few seconds, not minutes
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
    )
    prepare(env)
    server, worker = Gunicorn(env), MailWorker(env)
    worker.start()
    answers, stop, faults_over = Counter(), threading.Event(), threading.Event()
    phase, reads = ["before"], Counter()  # (phase, status, X-Cache) of each read
    accepted_at, health = {}, []

    def read():
        reader = Browser()
        while not stop.is_set():
            current = phase[0]
            try:
                page = reader.get(server.url + POST_PATH)
                reads[current, page.status, page.headers.get("X-Cache")] += 1
            except CUT_CONNECTION:
                reads[current, "no answer"] += 1

    posters = [Poster(server.url, f"Poster {i}", answers) for i in range(8)]

    def post(i, poster):
        n = 0
        # Until the faults are over, and a few more after; bounded whatever happens.
        while n < 200 and not (faults_over.is_set() and n >= 8):
            # Each from an address of its own (through the trusted proxy on 127.0.0.1), so that
            # they wait for the owner rather than going to the spam folder as a flood.
            poster.browser.opener.addheaders = [("X-Forwarded-For", f"10.{i}.{n // 250}.{n % 250}")]
            poster.post(f"Load comment {i}-{n} while things break.")
            n += 1

    def accepted():
        return sum(len(poster.accepted) for poster in posters)

    def wait(seconds, until):
        """At least `seconds`, and until `until()` holds (at most 30 s more, loaded or not)."""
        time.sleep(seconds)
        deadline = time.monotonic() + 30
        while not until() and time.monotonic() < deadline:
            time.sleep(0.1)

    def break_things():
        wait(1, until=lambda: reads["before", 200, "hit"])
        accepted_at["redis stopped"] = accepted()
        private_redis.stop()
        phase[0] = "redis down"
        health.append(Browser().get(server.url + "/healthz"))
        wait(3, until=lambda: reads["redis down", 200, "miss"] >= 2)
        accepted_at["redis restarted"] = accepted()
        private_redis.start()
        phase[0] = "redis back"
        wait(1, until=lambda: reads["redis back", 200, "hit"])
        worker.stop()
        accepted_at["worker stopped"] = accepted()
        wait(3, until=lambda: accepted() > accepted_at["worker stopped"])
        accepted_at["worker restarted"] = accepted()
        worker.start()
        faults_over.set()

    threads = [threading.Thread(target=post, args=(i, p)) for i, p in enumerate(posters)]
    threads.append(threading.Thread(target=break_things))
    reader = threading.Thread(target=read)
    try:
        for thread in [reader, *threads]:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        stop.set()
        reader.join(timeout=30)
        texts = [text for poster in posters for text in poster.accepted]
        # Mail catches up: the owner hears of every comment that waits.
        deadline = time.monotonic() + 30
        while unmentioned := [t for t in texts if not any(t in m.get_content() for m in inbox)]:
            assert time.monotonic() < deadline, f"{len(unmentioned)} comments never mailed"
            time.sleep(0.5)
    finally:
        worker.stop()
        server.stop()
    assert not [code for code in answers if isinstance(code, int) and code >= 500], answers
    assert not [read for read in reads if isinstance(read[1], int) and read[1] >= 500], reads
    assert sorted(stored_texts(shared_database)) == sorted(texts), "every accepted comment stored"
    assert len(inbox) < len(texts) / 2, "a flood of held comments comes as digests"
    # Comments were posted while Redis was down, and while the worker was.
    assert accepted_at["redis restarted"] > accepted_at["redis stopped"], accepted_at
    assert accepted_at["worker restarted"] > accepted_at["worker stopped"], accepted_at
    # Pages are served from the cache, rendered afresh while Redis is down, cached again after.
    assert reads["before", 200, "hit"] and reads["redis back", 200, "hit"], reads
    assert reads["redis down", 200, "miss"], reads
    assert not reads["redis down", 200, "hit"], reads
    # A load balancer keeps the server: it says the cache fails, and that it serves.
    assert health[0].status == 200 and "failing" in health[0].text
