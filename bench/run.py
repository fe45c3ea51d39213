"""The benchmark: `make bench` (or `.venv/bin/python -m bench.run`).

Serves the blog under gunicorn (the repo's gunicorn.conf.py when there is one) on a fresh database
loaded with the fixtures, drives it with wrk on loopback, and prints requests per second, p50 and
p99 latency, and each page's throughput as a ratio to a trivial Django view served by the same
server in the same run. Comments are posted that the policy publishes, so each one changes the post
page, alone and then while readers read that page. Worker recycling (gunicorn's max_requests, with
and without preload_app) is measured on its own servers. Then builds posts of 500 and 5,000
comments and times their page, cold.

Environment: BENCH_SECONDS (per URL, default 10), BENCH_CONNECTIONS (default 16),
BENCH_DATABASE_URL (default: a fresh PostgreSQL database on 127.0.0.1:5432, dropped afterwards,
or a fresh SQLite file where PostgreSQL does not answer), BENCH_CACHE_URL (the shared cache of the
"cache on" run; default Redis at 127.0.0.1:6379/15, the database cache where Redis does not answer).
"""

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
POST_PATH = "/2009/11/norwegian-study-offers-clues/"
# Tried in order; the first that answers 200 is measured (feeds arrive with the readers' issue).
FEED_PATHS = ["/feeds/comments/1/", f"{POST_PATH}feed/", "/feeds/posts/1/comments/"]


POSTGRES = "postgres://root@127.0.0.1:5432/postgres"


def fresh_database(tmp):
    """A new, empty database: PostgreSQL as deployed where it answers, else SQLite."""
    try:
        import psycopg

        name = f"blog_bench_{secrets.token_hex(4)}"
        with psycopg.connect(POSTGRES, autocommit=True, connect_timeout=2) as server:
            server.execute(f'CREATE DATABASE "{name}"')
        return f"{POSTGRES.rsplit('/', 1)[0]}/{name}", name
    except Exception:
        return f"sqlite:///{tmp / 'bench.sqlite3'}", None


def drop_database(name):
    import psycopg

    with psycopg.connect(POSTGRES, autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def shared_cache():
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return "redis://127.0.0.1:6379/15"
    except OSError:  # the shipped default: a table in the database, shared by the workers
        return "dbcache://blog_cache"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


class Server:
    """gunicorn serving the blog on a free loopback port."""

    def __init__(self, env, name, overrides=""):
        self.name, self.env, self.port = name, env, free_port()
        config = ROOT / "gunicorn.conf.py"
        if overrides:  # the repo's settings, some of them changed
            config = Path(tempfile.mkdtemp(prefix="blog-bench-")) / "gunicorn.conf.py"
            config.write_text(f"from config.gunicorn import *  # noqa: F403\n{overrides}\n")
        command = [PYTHON, "-m", "gunicorn", "config.wsgi:application"]
        command += ["-c", str(config)] if config.exists() else ["--workers", "2"]
        command += ["--bind", f"127.0.0.1:{self.port}"]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.url = f"http://127.0.0.1:{self.port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(self.url + "/bench/trivial/", timeout=1)
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit("gunicorn did not start; run it by hand with the same environment")

    def worker_peaks_mb(self):
        """Peak resident memory (VmHWM) of each worker, in MB."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        peaks = []
        for pid in children.read_text().split():
            status = Path(f"/proc/{pid}/status").read_text()
            peaks.append(int(re.search(r"VmHWM:\s+(\d+) kB", status)[1]) / 1024)
        return peaks

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


def wrk(url, script=None, env=None, seconds=SECONDS, connections=CONNECTIONS):
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if script:
        command += ["-s", str(script)]
    finished = subprocess.run([*command, url], capture_output=True, text=True, env=env)
    if finished.returncode:
        raise SystemExit(f"wrk failed on {url}:\n{finished.stdout}{finished.stderr}")
    output = finished.stdout
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]),
        "p50": _ms(re.search(r"\s50%\s+(\S+)", output)[1]),
        "p99": _ms(re.search(r"\s99%\s+(\S+)", output)[1]),
        "errors": "Non-2xx or 3xx" in output or "Socket errors" in output,
        "output": output,
    }


def _ms(text):
    value, unit = re.match(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[unit]


def measure(url, **kwargs):
    wrk(url, seconds=2, **kwargs)  # warm-up: workers import, caches fill
    return wrk(url, **kwargs)


def shell(env, code):
    """The last line `code` prints, run by manage.py shell."""
    out = subprocess.run(
        [PYTHON, "manage.py", "shell", "-v", "0", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip().splitlines()[-1]


def last_comment(env):
    return int(
        shell(
            env,
            "from django.db.models import Max; from comments.models import Comment; "
            "print(Comment.objects.aggregate(last=Max('pk'))['last'])",
        )
    )


def take_back(env, after):
    """How many comments newer than `after` have each status; they are deleted, so that the next
    measurement starts from the seed's thread again."""
    counts = shell(
        env,
        "from comments.models import Comment; "
        f"new = Comment.objects.filter(pk__gt={after}); "
        "counts = {s: new.filter(status=s).count() for s in Comment.Status.values}; "
        "new.delete(); import json; print(json.dumps(counts))",
    )
    return json.loads(counts)


def post_comments(server, connections=CONNECTIONS):
    """wrk posting comments the policy publishes, for SECONDS."""
    url = server.url + "/comments/post/1/"
    return wrk(url, script=ROOT / "bench" / "post.lua", connections=connections)


def posted(result, statuses):
    """The posting's figures, with what became of its comments (take_back's counts)."""
    accepted = int(re.search(r"accepted=(\d+)", result["output"])[1])
    refused = int(re.search(r"refused=(\d+)", result["output"])[1])
    stored = sum(statuses.values())
    result["note"] = (
        f"{accepted} accepted, {refused} refused; {stored} stored: "
        f"{statuses['published']} published, {statuses['pending']} held, "
        f"{statuses['spam']} spam; {max(0, accepted - stored)} lost"
    )
    result["accepted_per_s"] = accepted / SECONDS
    return result


def feed_path(server):
    for path in FEED_PATHS:
        try:
            if urllib.request.urlopen(server.url + path, timeout=5).status == 200:
                return path
        except OSError:
            continue
    return None


def serve_and_measure(env, label, rows, posting):
    server = Server(env, label)
    try:
        floor = measure(server.url + "/bench/trivial/")
        rows.append((f"trivial view ({label})", floor, floor["rps"]))
        rows.append((f"seed post page ({label})", measure(server.url + POST_PATH), floor["rps"]))
        if posting:
            size = len(urllib.request.urlopen(server.url + POST_PATH).read())
            rows.append(
                (
                    f"fixed {size // 1024} KB response (page's size)",
                    measure(f"{server.url}/bench/sized/{size}/"),
                    floor["rps"],
                )
            )
            rows.append(("index", measure(server.url + "/"), floor["rps"]))
            path = feed_path(server)
            if path:
                rows.append((f"comment feed {path}", measure(server.url + path), floor["rps"]))
            else:
                rows.append(("comment feed", None, floor["rps"]))
            before = last_comment(env)
            posting = posted(post_comments(server), take_back(env, before))
            rows.append(("comment posting (POST)", posting, floor["rps"]))
            # Half the connections post while the other half read the page each comment changes.
            with ThreadPoolExecutor(2) as both:
                posting = both.submit(post_comments, server, CONNECTIONS // 2)
                reading = wrk(server.url + POST_PATH, connections=CONNECTIONS // 2)
                posting = posted(posting.result(), take_back(env, before))
            rows.append(("seed post page, while comments arrive", reading, floor["rps"]))
            rows.append(("  comments posted meanwhile (POST)", posting, floor["rps"]))
        return server.worker_peaks_mb()
    finally:
        server.stop()


def recycling(env):
    """The trivial view and the seed page (cache on) with gunicorn's worker recycling as
    configured and in the other ways considered: every 1,000 requests a worker, with and without
    the app loaded once in the master (preload_app, which makes a recycled worker a fork rather
    than a fresh start), and never."""
    before = "max_requests = 1000\nmax_requests_jitter = 100"
    results = []
    for label, overrides in (
        ("max_requests 1000", f"preload_app = False\n{before}"),
        ("max_requests 1000, preload_app", f"preload_app = True\n{before}"),
        ("max_requests 0 (never recycled)", "preload_app = False\nmax_requests = 0"),
        ("as configured (max_requests 10000)", ""),
    ):
        server = Server(env, label, overrides)
        try:
            floor = measure(server.url + "/bench/trivial/")
            page = measure(server.url + POST_PATH)
        finally:
            server.stop()
        results.append((label, floor["rps"], page["rps"]))
    return results


def render_big_threads(env):
    """Cold render (cache off) of posts with 500 and 5,000 comments, in this process."""
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from bench.bigthread import build
    from blog.models import Post
    from comments.tree import paged_thread

    results = {}
    for count in (500, 5000):
        post = Post.objects.create(
            title=f"Popular {count}", slug=f"popular-{count}", body="A post."
        )
        build(post, count)
        client = Client(SERVER_NAME="127.0.0.1")
        client.get(post.get_absolute_url())  # templates compiled, code paths warm
        times = []
        connection.force_debug_cursor = True  # log queries, with DEBUG off
        for _ in range(5):
            start = time.perf_counter()
            response = client.get(post.get_absolute_url())
            times.append(time.perf_counter() - start)
            # Each request's request_started signal empties the log: this request's queries.
            query_count = len(connection.queries)
        connection.force_debug_cursor = False
        assert response.status_code == 200, response.status_code
        tracemalloc.start()
        client.get(post.get_absolute_url())
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        start = time.perf_counter()
        for _ in range(5):
            paged_thread(list(post.comments.visible().thread_shape()))
        building = (time.perf_counter() - start) / 5
        results[count] = (min(times), query_count, len(response.content), peak, building)
    return results


def main():
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")
    tmp = Path(tempfile.mkdtemp(prefix="blog-bench-"))
    database, created = (
        (os.environ["BENCH_DATABASE_URL"], None)
        if "BENCH_DATABASE_URL" in os.environ
        else fresh_database(tmp)
    )
    try:
        run(tmp, database)
    finally:
        if created:
            drop_database(created)


def run(tmp, database):
    base = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=database,
        CACHE_URL=os.environ.get("BENCH_CACHE_URL", shared_cache()),
        PAGE_CACHE="true",
        # Production settings, but plain HTTP on loopback with no TLS proxy in front.
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        STATIC_ROOT=str(tmp / "static"),
        SECURE_SSL_REDIRECT="false",
        BEHIND_TLS_PROXY="false",
        CSRF_COOKIE_SECURE="false",
        SESSION_COOKIE_SECURE="false",
    )
    manage(base, "migrate", "--noinput", "-v", "0")
    manage(base, "loaddata", "seed", "-v", "0")
    manage(base, "collectstatic", "--noinput", "-v", "0")
    manage(base, "shell", "-v", "0", "-c", "from django.core.cache import cache; cache.clear()")

    rows = []
    peaks = serve_and_measure(base, "cache on", rows, posting=True)
    off = dict(base, CACHE_URL="dummycache://", PAGE_CACHE="false")
    peaks += serve_and_measure(off, "cache off", rows, False)
    recycled = recycling(base)
    big = render_big_threads(off)
    report(rows, peaks, recycled, big, database.split(":", 1)[0])


def report(rows, peaks, recycled, big, database):
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown CPU",
    )
    print(
        f"\nMachine: {os.cpu_count()} cores, {cpu}; database: {database}; "
        f"wrk -t2 -c{CONNECTIONS}, {SECONDS} s per URL"
    )
    print(f"{'URL':<42} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>7}")
    for name, result, floor in rows:
        if result is None:
            print(f"{name:<42} {'not served (404)':>34}")
            continue
        ratio = result["rps"] / floor
        print(
            f"{name:<42} {result['rps']:>9.0f} {result['p50']:>8.2f} {result['p99']:>8.2f} "
            f"{ratio:>7.2f}" + ("  (errors)" if result["errors"] and "note" not in result else "")
        )
        if "note" in result:
            print(f"{'':<42} {result['note']}; {result['accepted_per_s']:.0f} accepted/s")
    print(f"\nPeak resident memory per gunicorn worker: {', '.join(f'{p:.0f} MB' for p in peaks)}")
    print(f"\nWorker recycling, cache on {'trivial':>24} {'seed page':>11} {'ratio':>7}")
    for label, floor, page in recycled:
        print(f"  {label:<40} {floor:>7.0f} {page:>11.0f} {page / floor:>7.2f}")
    print("\nCold render, cache off (best of 5):")
    for count, (seconds, queries, size, peak, building) in big.items():
        print(
            f"  {count:>5} comments: page 1 in {seconds * 1000:6.1f} ms, {queries} queries, "
            f"{size // 1024} KiB of HTML, {peak / 2**20:.1f} MiB allocated at peak; "
            f"whole thread read and built in {building * 1000:.1f} ms"
        )
    print(
        f"  5,000 / 500 ratios: page render {big[5000][0] / big[500][0]:.2f} (pages hold about "
        f"COMMENTS_PER_PAGE comments), whole-thread build {big[5000][4] / big[500][4]:.2f} "
        "(10 is linear)"
    )


if __name__ == "__main__":
    main()
