"""Moving in from Blogger: the export imported with its posts, old addresses and threaded
comments, quietly and only once; a malformed or hostile file refused whole."""

import json
from io import StringIO
from pathlib import Path

import pytest
from conftest import POST_URL, html
from django.core.management import CommandError, call_command
from export_files import EXPORTS, counts, parent_number, reading, run

from blog import sanitize
from blog.models import Post
from comments.models import Comment

SEED = json.loads((Path(__file__).parent.parent / "config" / "fixtures" / "seed.json").read_text())


def test_the_seed_post_exported_by_blogger_reads_as_it_did(client, db):
    report = run("import_blogger", "blogger-seed.xml")
    assert report.startswith("1 post, 15 comments imported; 0 already here.")

    page = html(client.get(POST_URL))
    assert page.h1.get_text(strip=True) == "Norwegian Study Offers Clues"
    post = Post.objects.get()
    # Blogger's HTML came in as Markdown that renders as the seed post does.
    assert post.body_html == sanitize.post_html(SEED[0]["fields"]["body"])
    assert sorted(label.name for label in post.labels.all()) == ["ME/CFS", "Rituximab", "XMRV"]
    assert post.published.isoformat() == "2009-11-27T12:00:00+00:00"

    assert [parent_number(page, n) for n in (3, 4, 6, 14, 15)] == [1, 2, 5, 2, 14]
    for n in (11, 13):
        assert page.find("li", id=f"c{n}").get_text(" ", strip=True) == (
            f"{n}. This comment has been removed."
        )
    # Blogger exports no spam folder: evision's comment arrives as the comment it was there.
    assert page.find("li", id="c9").select_one(".comment-author").get_text() == "evision"


def test_comments_from_blogger_keep_their_text_authors_dates_and_order(db):
    run("import_blogger", "blogger-seed.xml")
    imported = {c.number: c for c in Comment.objects.select_related("parent")}
    for row in SEED[1:]:
        seed, comment = row["fields"], imported[row["pk"]]
        assert comment.body == seed["body"]
        assert comment.author_name == seed["author_name"]
        assert comment.created.isoformat().replace("+00:00", "Z") == seed["created"]
        assert (comment.parent.number if comment.parent else None) == seed["parent"]
        expected = "published" if seed["status"] == "spam" else seed["status"]
        assert comment.status == expected
        assert comment.author_email == "" and comment.notify is False


def test_blogger_comments_keep_links_and_line_breaks_and_lose_other_markup(client, db):
    run("import_blogger", "blogger-more.xml")
    comment = Comment.objects.get(author_name="Ingrid")
    assert comment.body == (
        "Thanks for this & the <b>links</b>.\n"
        'See <a href="http://ingrid.example.org/notes">my notes</a>, red <3'
    )
    assert comment.author_url == "http://ingrid.example.org/"
    assert comment.author_email == "ingrid@example.org"
    body = html(client.get(comment.post.get_absolute_url())).find("li", id="c1")
    assert body.select_one(".comment-body a")["href"] == "http://ingrid.example.org/notes"
    assert body.select_one(".comment-body b").get_text() == "links"


def test_the_old_blogger_permalink_answers_with_a_redirect(client, db, settings):
    settings.TIME_ZONE = "UTC"
    run("import_blogger", "blogger-seed.xml")
    run("import_blogger", "blogger-more.xml")
    response = client.get("/2009/11/norwegian-study-offers-clues.html")
    assert response.status_code == 301
    assert response["Location"] == POST_URL

    # Written at 23:30 on November 30 in California, which is December here: the old
    # address is kept, and still leads to the post.
    late = Post.objects.get(slug="late-in-november")
    assert late.get_absolute_url() == "/2009/12/late-in-november/"
    response = client.get("/2009/11/late-in-november.html")
    assert response.status_code == 301
    assert response["Location"] == "/2009/12/late-in-november/"
    assert client.get(response["Location"]).status_code == 200


def test_a_blogger_draft_stays_a_draft(client, db):
    run("import_blogger", "blogger-more.xml")
    draft = Post.objects.get(title="Half a thought")
    assert draft.status == Post.Status.DRAFT
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_importing_from_blogger_twice_changes_nothing(client, db):
    run("import_blogger", "blogger-seed.xml")
    before, page = counts(), reading(client.get(POST_URL))
    report = run("import_blogger", "blogger-seed.xml")
    assert report.startswith("0 posts, 0 comments imported; 16 already here.")
    assert counts() == before
    assert reading(client.get(POST_URL)) == page


def test_a_later_export_adds_only_what_is_new(db, tmp_path):
    run("import_blogger", "blogger-seed.xml")
    seed = (EXPORTS / "blogger-seed.xml").read_text()
    # A sixteenth comment, answering the fifteenth, in the next backup.
    # Blogger lists comments newest first: the entry after the post is the fifteenth.
    fifteen = seed.index("<entry>", seed.index("kind#post"))
    entry = seed[fifteen : seed.index("</entry>", fifteen) + len("</entry>")]
    sixteen = (
        entry.replace("post-6010000000020368665", "post-6010000000021726576")
        .replace("2010-03-27T10:05:00.000-07:00", "2010-03-28T09:00:00.000-07:00")
        .replace("Christine, take a look here:", "Thank you, found it.")
        # The fifteenth answered the fourteenth; this answers the fifteenth.
        .replace("comments/default/6010000000019010754", "comments/default/6010000000020368665")
    )
    later = tmp_path / "blog-later.xml"
    later.write_text(seed.replace("</feed>", sixteen + "\n</feed>"))
    out = StringIO()
    call_command("import_blogger", str(later), stdout=out)
    assert out.getvalue().startswith("0 posts, 1 comment imported; 16 already here.")
    new = Comment.objects.get(number=16)
    assert new.body.startswith("Thank you, found it.")
    assert new.parent.number == 15


def test_the_report_says_what_was_skipped_and_why(db):
    report = run("import_blogger", "blogger-seed.xml")
    assert "2 × blog settings" in report
    assert "1 × the blog's template" in report

    report = run("import_blogger", "blogger-more.xml")
    assert report.startswith("2 posts, 2 comments imported; 0 already here.")
    assert "1 × pages (this blog has posts only): “About”" in report
    assert "1 × comments on pages" in report
    assert "1 × comments whose post is not in the file" in report
    # A reply to a comment the file does not hold stands at the top level, and says so.
    assert "post-4444444444444444449, which is not imported: it stands at the top level" in report
    assert Comment.objects.get(body="I agree with the one above.").parent is None


def test_an_import_sends_no_mail_and_keeps_statuses(
    db, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.OWNER_EMAIL = "owner@example.org"
    with django_capture_on_commit_callbacks(execute=True):
        run("import_blogger", "blogger-seed.xml")
    assert mailoutbox == []
    assert Comment.objects.filter(status="removed").count() == 2


# Files that are refused, whole


def test_a_malformed_file_is_refused_with_its_line_and_nothing_is_imported(db):
    with pytest.raises(CommandError) as refused:
        run("import_blogger", "blogger-malformed.xml")
    assert str(refused.value) == (
        f"{EXPORTS / 'blogger-malformed.xml'}:24: not well-formed XML: mismatched tag "
        "(column 3); nothing was imported"
    )
    assert counts() == (0, 0, 0, 0)  # not even the whole post before the break


def test_an_xml_bomb_is_refused_not_expanded(db):
    with pytest.raises(CommandError) as refused:
        run("import_blogger", "billion-laughs.xml")
    assert ":3: refused: it declares the entity 'lol'" in str(refused.value)
    assert counts() == (0, 0, 0, 0)


def test_an_entry_that_cannot_be_read_is_refused_with_its_line(db, tmp_path):
    broken = tmp_path / "blog.xml"
    broken.write_text(
        (EXPORTS / "blogger-seed.xml")
        .read_text()
        .replace("<published>2009-11-27T04:00:00.000-08:00", "<published>Friday")
    )
    with pytest.raises(CommandError) as refused:
        call_command("import_blogger", str(broken), stdout=StringIO())
    assert str(refused.value) == (
        f"{broken}:32: <published> 'Friday' is not a date; nothing was imported"
    )
    assert counts() == (0, 0, 0, 0)


def test_a_stored_script_website_never_becomes_a_link(client, db):
    run("import_blogger", "blogger-more.xml")
    comment = Comment.objects.get(author_name="Ingrid")
    for url in ("javascript:alert(1)", " data:text/html,x", "java\nscript:alert(1)"):
        # Written past the form and the importers, as an older import or the shell could.
        Comment.objects.filter(pk=comment.pk).update(author_url=url)
        call_command("render_comments", stdout=StringIO())
        byline = html(client.get(comment.post.get_absolute_url())).select_one("#c1 .comment-author")
        assert byline.get_text(strip=True) == "Ingrid"
        assert byline.find("a") is None, url
