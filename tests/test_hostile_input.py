"""The comment form is open to the whole internet: whatever is posted comes out inert on every
page that shows it, or is refused with a clear message; never a 500, never half-stored."""

import itertools
import json
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import POST_URL, html
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comments.models import Comment
from moderation.models import Decision

BADINPUT = Path(__file__).resolve().parent.parent.parent / "shared" / "badinput"
DANGEROUS_SCHEMES = re.compile(r"^\s*(javascript|vbscript|data):", re.IGNORECASE)
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "background", "poster"}

OWN_VECTORS = [
    "<script>alert(1)</script>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href=" JaVaScRiPt:alert(1)">spaced</a>',
    '<a href="jav&#x09;ascript:alert(1)">entity</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
    '<a href="vbscript:msgbox(1)">vb</a>',
    '<img src=x onerror="alert(1)">',
    "<svg onload=alert(1)>",
    "<iframe src=//evil.example></iframe>",
    '<b onmouseover="alert(1)">hover</b>',
    "<style>body{display:none}</style>",
    "</p></div></li></ol></section><script>alert(1)</script>",
    '<blockquote cite="javascript:alert(1)">quote</blockquote>',
    "<<script>alert(1)//<</script>",
    '"><script>alert(1)</script>',
    "<a href='https://ok.example/' onclick='alert(1)'>ok</a>",
    "<code><script>alert(1)</script></code>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
]


def assert_inert(markup, where):
    """No executable markup: no script or style, no handlers, no script URLs, nothing that
    breaks out of where it was put."""
    soup = BeautifulSoup(markup, "html5lib")
    for script in soup.find_all("script"):  # only the site's own files, by path
        if script.get("type") == "application/ld+json" and not script.get("src"):
            json.loads(script.string)  # data, which no browser runs, and whole
            continue
        src = script.get("src", "")
        assert src.startswith("/") and not src.startswith("//"), f"script in {where}: {script}"
    assert not soup.find_all(["style", "iframe", "object", "embed", "svg", "math"]), where
    for tag in soup.find_all(True):
        for name, value in tag.attrs.items():
            assert not name.lower().startswith("on"), f"{name} on {tag.name} in {where}"
            if name.lower() in URL_ATTRIBUTES:
                cleaned = "".join(ch for ch in value if ch.isprintable())
                assert not DANGEROUS_SCHEMES.match(cleaned), f"{name}={value!r} in {where}"
        if tag.name == "link":
            assert tag.get("rel") and tag["rel"][0] in {
                "stylesheet",
                "alternate",
                "canonical",
                "icon",
            }


_names = (f"Tester {n}" for n in itertools.count())


def post_and_publish(client, post, text):
    response = client.post(
        f"/comments/post/{post.pk}/", {"body": text, "author_name": next(_names)}
    )
    assert response.status_code in (302, 400), response.status_code
    return response.status_code == 302


def check_everywhere(client, admin_client, post):
    Decision.objects.change(
        Comment.objects.exclude(status="published").filter(post=post), "published"
    )
    for page in itertools.count(1):
        response = client.get(f"{POST_URL}?page={page}")
        if response.status_code == 404:
            break
        assert_inert(response.content, f"post page {page}")
        # Every comment stays inside its own article: nothing closed the thread early.
        thread = html(response).find("ol", class_="thread")
        for li in thread.find_all("li", recursive=False):
            assert li.get("id", "").startswith("c")
    # In the admin, where readers' text appears: the lists (Django's own chrome has SVG icons).
    for url in ("/admin/comments/comment/", "/admin/moderation/queuedcomment/"):
        listing = html(admin_client.get(url)).select_one("#changelist")
        assert listing is not None, url
        assert_inert(str(listing), url)
    feed = client.get("/feeds/comments/").content.decode()
    for summary in re.findall(r"<summary type=\"html\">(.*?)</summary>", feed, re.S):
        assert_inert(BeautifulSoup(summary, "html.parser").get_text(), "comment feed")


def test_the_projects_own_xss_vectors_come_out_inert(client, admin_client, seed):
    for vector in OWN_VECTORS:
        post_and_publish(client, seed, vector)
    check_everywhere(client, admin_client, seed)
    shown = html(client.get(POST_URL)).get_text()
    assert "<script>alert(1)</script>" in shown  # shown as the text it was, not run


fragments = st.sampled_from(
    [
        "<",
        ">",
        "</",
        "/>",
        '"',
        "'",
        "=",
        "&",
        "#",
        ";",
        ":",
        " ",
        "\n",
        "\t",
        "\x0b",
        "script",
        "a",
        "href",
        "src",
        "img",
        "on",
        "error",
        "load",
        "javascript",
        "java\tscript",
        "data",
        "vbscript",
        "style",
        "svg",
        "iframe",
        "b",
        "code",
        "blockquote",
        "p",
        "alert(1)",
        "&#x6a;",
        "&#106;",
        "&lt;",
        "www.example.org",
        "http://",
        "https://x.example/?a=1&b=2",
    ]
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=st.lists(fragments, min_size=1, max_size=30).map("".join))
def test_any_mix_of_markup_fragments_comes_out_inert(client, admin_client, seed, text):
    if post_and_publish(client, seed, text):
        Decision.objects.change(Comment.objects.filter(status="pending"), "published")
        comment = Comment.objects.filter(post=seed).order_by("-number").first()
        assert_inert(comment.html, "stored html")
        assert_inert(client.get(comment.located_url().split("#")[0]).content, "post page")


needs_badinput = pytest.mark.skipif(
    not BADINPUT.exists() and os.environ.get("CI") != "true",
    reason=f"the public bad-input lists are not at {BADINPUT} (only outside CI)",
)


@needs_badinput
@pytest.mark.parametrize("name", ["RSNAKE_XSS.txt", "IntrudersXSS.txt"])
def test_the_public_xss_vector_lists_come_out_inert(client, admin_client, seed, name):
    vectors = [v for v in (BADINPUT / name).read_text(errors="replace").splitlines() if v.strip()]
    assert len(vectors) > 50
    for vector in vectors:
        post_and_publish(client, seed, vector)
    check_everywhere(client, admin_client, seed)


def expected(text):
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


OWN_ODD_STRINGS = [
    "\u202eevil right-to-left override",
    "zero\u200bwidth\u200cjoiners\u200d here\ufeff",
    "emoji 👩‍👩‍👧‍👦 and flags 🇳🇴 🇪🇸",
    "combining: Jose\u0301 and Espan\u0303a",
    "Z̴̡̪a̸l̷g̶o̵ text",
    "ﷺ and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "tabs\tand\nnewlines\r\nand\rreturns",
    "NUL \x00 byte",
    "bell \x07 and escape \x1b[31m",
    "x" * 10_001,
]


def post_odd(client, seed, text):
    response = client.post(f"/comments/post/{seed.pk}/", {"body": text, "author_name": "Odd"})
    assert response.status_code in (302, 400), (text[:40], response.status_code)
    if response.status_code == 400:
        errors = html(response).select(".errorlist")
        assert errors, f"refused without a message: {text[:40]!r}"
        return None
    return Comment.objects.filter(post=seed).order_by("-number").first()


@pytest.mark.parametrize("text", OWN_ODD_STRINGS, ids=range(len(OWN_ODD_STRINGS)))
def test_odd_text_is_stored_exactly_or_refused_with_a_message(client, seed, text):
    comment = post_odd(client, seed, text)
    if comment is not None:
        assert comment.body == expected(text)
        page = client.get(comment.located_url().split("#")[0])
        assert page.status_code == 200
    else:
        assert Comment.objects.filter(post=seed).count() == 15


@needs_badinput
def test_the_big_list_of_naughty_strings_is_stored_exactly_or_refused(client, seed):
    strings = json.loads((BADINPUT / "blns.json").read_text())
    stored = refused = 0
    for i, text in enumerate(strings):
        if not text.strip():
            continue
        comment = post_odd(client, seed, f"{i}: {text}")
        if comment is None:
            refused += 1
        else:
            assert comment.body == expected(f"{i}: {text}"), i
            stored += 1
    assert stored > 400 and refused < 50, (stored, refused)
    assert client.get(POST_URL).status_code == 200


def test_text_that_was_not_utf8_is_refused_with_a_message(client, seed):
    response = client.post(
        f"/comments/post/{seed.pk}/",
        b"author_name=Bytes&body=caf%E9+%FF%FE",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert "could not be read" in html(response).select_one(".errorlist").get_text()


def test_a_huge_body_is_refused_with_a_clear_page(client, seed):
    response = client.post(f"/comments/post/{seed.pk}/", {"body": "x" * 400_000})
    assert response.status_code == 400
    assert "too large" in html(response).get_text()
    assert Comment.objects.count() == 15


def test_a_missing_page_is_a_friendly_404(client, seed):
    response = client.get("/2009/11/not-here/")
    assert response.status_code == 404
    assert html(response).find("h1").get_text() == "Page not found"


def test_an_expired_form_is_a_friendly_403_that_keeps_nothing(seed, admin_user):
    from django.test import Client

    # Only a signed-in person's forms carry a token (an anonymous reader's page has none).
    owner = Client(enforce_csrf_checks=True)
    owner.force_login(admin_user)
    response = owner.post(
        f"/comments/post/{seed.pk}/", {"body": "x", "csrfmiddlewaretoken": "forged"}
    )
    assert response.status_code == 403
    assert html(response).find("h1").get_text() == "Your form had expired"
    assert Comment.objects.count() == 15


ROOT = Path(__file__).resolve().parent.parent


def test_with_the_database_down_pages_answer_503_and_posting_says_try_again():
    script = (
        "import django; django.setup(); from django.test import Client; c = Client(); "
        "r = c.get('/2009/11/norwegian-study-offers-clues/'); "
        "print(r.status_code, r['Retry-After']); "
        "r = c.post('/comments/post/1/', {'body': 'hello'}); print(r.status_code); "
        "print(r.content.decode())"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "false",
        "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    lines = result.stdout.splitlines()
    assert lines[0] == "503 30", result.stdout + result.stderr
    assert lines[1] == "503"
    assert "could not be saved just now" in result.stdout
