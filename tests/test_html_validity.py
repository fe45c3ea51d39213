"""Every kind of page a reader meets passes the Nu Html Checker (the W3C's validator, `vnu.jar`
from PyPI's vnujar, run on Java 17), a comment posted through the form and an open reply form
included. One run of the checker over every page, since starting the JVM is the slow part."""

import json
import os
import shutil
import subprocess

import pytest
import vnujar
from conftest import POST_URL, comment_form_data, comment_number
from django.test import Client

from blog.models import Label
from comments.models import Comment
from moderation.models import Decision

JAR = os.path.join(os.path.dirname(vnujar.__file__), "vnu.jar")


def java():
    found = shutil.which("java")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs Java 17 for the Nu Html Checker")
        pytest.skip("needs Java 17 (Debian's openjdk-17-jre-headless) for the Nu Html Checker")
    return found


def reader_pages(client, seed):
    """(name, response) for each kind of page, in the states a reader sees them."""
    seed.labels.add(Label.objects.named("Rituximab"))
    # Published by the form with the markup readers may use, so that its stored HTML is checked.
    client.post(
        f"/comments/post/{seed.pk}/",
        comment_form_data(
            body="Posted through the form: <b>bold</b>, <i>it</i>, <code>x &lt; y</code>\n\n"
            "<blockquote>quoted</blockquote> and https://example.org/a?b=c&d=e",
        ),
    )
    new = Comment.objects.filter(post=seed).latest("pk")
    Decision.objects.change(Comment.objects.filter(pk=new.pk), Comment.Status.PUBLISHED)
    reply_to = comment_number(10)
    return [
        ("home", client.get("/")),
        ("archive", client.get("/archive/")),
        ("labels", client.get("/labels/")),
        ("year", client.get("/2009/")),
        ("month", client.get("/2009/11/")),
        ("label", client.get("/label/rituximab/")),
        ("post", client.get(POST_URL)),
        (
            "reply form",
            client.get(f"/comments/post/{seed.pk}/reply/{reply_to.number}/", follow=True),
        ),
        ("search", client.get("/search/", {"q": "rituximab"})),
        ("empty search", client.get("/search/", {"q": "nothing-matches-this"})),
        ("form errors", client.post(f"/comments/post/{seed.pk}/", comment_form_data(body=""))),
        (
            "preview",
            client.post(
                f"/comments/post/{seed.pk}/",
                comment_form_data(body="A <b>preview</b>", preview="1"),
            ),
        ),
        ("edit", client.get(f"/comments/{new.pk}/edit/")),
        ("edit closed", Client().get(f"/comments/{new.pk}/edit/")),
        ("follow errors", client.post(f"/comments/post/{seed.pk}/follow/", {"email": "nope"})),
        ("bad token", client.get("/comments/unsubscribe/not-a-token/")),
        ("not found", client.get("/no-such-page/")),
        (
            "cross-site refusal",
            client.post(
                f"/comments/post/{seed.pk}/", comment_form_data(), HTTP_SEC_FETCH_SITE="cross-site"
            ),
        ),
    ]


def test_every_page_a_reader_meets_passes_the_nu_checker(client, seed, tmp_path):
    command = java()
    pages = reader_pages(client, seed)
    by_name = dict(pages)
    assert "Posted through the form" in by_name["post"].content.decode()
    assert 'name="parent"' in by_name["reply form"].content.decode()
    assert "A <b>preview</b>" in by_name["preview"].content.decode()
    files = []
    for number, (name, response) in enumerate(pages):
        assert response["Content-Type"].startswith("text/html"), name
        path = tmp_path / f"{number:02}.html"
        path.write_bytes(response.content)
        files.append((str(path), name))
    checked = subprocess.run(
        [command, "-jar", JAR, "--errors-only", "--format", "json", *[f for f, _ in files]],
        capture_output=True,
        text=True,
        timeout=300,
    )
    names = dict(files)
    errors = [
        f"{names[m['url'].removeprefix('file:')]} line {m.get('lastLine')}: {m['message']}"
        for m in json.loads(checked.stderr)["messages"]
        if m["type"] == "error"
    ]
    assert errors == []
    assert len(files) == len({name for _, name in files}) >= 18
