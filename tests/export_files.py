"""The export files of tests/exports, the importers run on them, and what a reader then reads."""

from io import StringIO
from pathlib import Path

from conftest import html
from django.core.management import call_command

from blog.models import Label, Post, PreviousAddress
from comments.models import Comment

EXPORTS = Path(__file__).parent / "exports"
WP_POST = "/2010/03/b-cells-again/"  # the WordPress export's post


def run(command, name):
    """Run an import command on one of tests/exports (or on any path); return what it printed."""
    out = StringIO()
    call_command(command, str(EXPORTS / name), stdout=out)
    return out.getvalue()


def counts():
    """(posts, comments, labels, previous addresses) stored."""
    return (
        Post.objects.count(),
        Comment.objects.count(),
        Label.objects.count(),
        PreviousAddress.objects.count(),
    )


def reading(response):
    """What a reader reads on a page: its <main>, less the form's per-response CSRF token."""
    main = html(response).find("main")
    for token in main.select("input[name=csrfmiddlewaretoken]"):
        token.decompose()
    return str(main)


def parent_number(page, n):
    """The number of the comment that comment `n` is drawn under on `page`, or None."""
    outer = page.find("li", id=f"c{n}").find_parent("li")
    return int(outer["id"].removeprefix("c")) if outer else None
