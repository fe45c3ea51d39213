"""Moving out: everything exported as one fixture that loaddata reads back into an empty blog,
with the same pages, every comment and no client address."""

import json
from io import StringIO

import pytest
from conftest import POST_URL, post_comment
from django.core.management import call_command
from django.test import Client
from export_files import WP_POST, counts, reading, run

from comments.models import Comment


@pytest.fixture
def whole_blog(seed):
    """The seed, a WordPress import, a comment posted here today and one edited since."""
    run("import_wxr", "wordpress.xml")
    # From another browser than the test's reader, whose pages would show its messages.
    assert post_comment(Client(), seed, body="Posted here, today.").status_code == 302
    Comment.objects.get(author_name="Per").edit("Ingrid, I agree. (Edited.)")
    return seed


def exported(**options):
    out = StringIO()
    call_command("export_blog", stdout=out, **options)
    return out.getvalue()


# Outside a test transaction: PostgreSQL will not empty tables with constraint checks pending.
@pytest.mark.django_db(transaction=True)
def test_the_export_loads_into_an_empty_blog_and_gives_the_same_pages(client, whole_blog, tmp_path):
    pages = [POST_URL, WP_POST, "/", "/label/rituximab/", "/2010/03/15/b-cells-again/"]
    before = {url: reading(client.get(url, follow=True)) for url in pages}
    first = exported()
    fixture = tmp_path / "blog.json"
    out = StringIO()
    call_command("export_blog", output=str(fixture), stdout=out)
    assert out.getvalue() == (
        f"Wrote 2 labels, 3 posts, 1 previous address, 23 comments, 1 revision to {fixture}.\n"
    )
    assert fixture.read_text() == first

    call_command("flush", interactive=False, verbosity=0)
    assert counts() == (0, 0, 0, 0)
    call_command("loaddata", str(fixture), verbosity=0)

    assert {url: reading(client.get(url, follow=True)) for url in pages} == before
    assert exported() == first


def test_the_export_keeps_every_comment_and_no_ip_address(whole_blog):
    rows = json.loads(exported())
    comments = [row["fields"] for row in rows if row["model"] == "comments.comment"]
    assert {c["status"] for c in comments} == {"published", "pending", "spam", "removed"}
    assert {c["ip_address"] for c in comments} == {None}
    assert "127.0.0.1" not in exported()
    assert Comment.objects.filter(ip_address="127.0.0.1").exists()  # kept here all the same
    # The owner's own: commenters' addresses, threads and earlier versions go along.
    assert "ingrid@example.org" in {c["author_email"] for c in comments}
    assert sum(1 for c in comments if c["parent"]) == 7
    assert [row["fields"]["body"] for row in rows if row["model"] == "comments.revision"] == [
        "Ingrid, I agree."
    ]
    assert {row["model"] for row in rows} == {
        "blog.label",
        "blog.post",
        "blog.previousaddress",
        "comments.comment",
        "comments.revision",
    }
