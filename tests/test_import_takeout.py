"""Moving in from today's Blogger: the Takeout zip or the feed.atom in it, read with the same
guarantees as the older export (threads, drafts private, old addresses redirecting, twice adds
nothing, a hostile file refused whole); and the app that does the moving, which nothing knows."""

import ast
import re
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from conftest import html
from django.core.management import CommandError, call_command
from export_files import EXPORTS, counts, parent_number, reading, run

from blog.models import Post
from comments.models import Comment

TAKEOUT_POST = "/2010/03/b-cells-in-bergen/"
FEED = "Takeout/Blogger/Blogs/Notes from Bergen/feed.atom"


def takeout(tmp_path, entries=None, name="takeout.zip"):
    """A Takeout zip as Blogger gives it: the blog's feed.atom, its theme and its images (and
    the folder a Mac adds); `entries` instead, {name: bytes}, for an archive of one's own."""
    if entries is None:
        entries = {
            FEED: (EXPORTS / "blogger-takeout.atom").read_bytes(),
            "Takeout/Blogger/Blogs/Notes from Bergen/theme-classic.html": b"<html></html>",
            "Takeout/Blogger/Albums/Notes from Bergen/bergen.jpg": b"\xff\xd8\xff",
            "__MACOSX/Takeout/Blogger/Blogs/Notes from Bergen/._feed.atom": b"\0\5\26\7",
        }
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in entries.items():
            archive.writestr(member, data)
    return path


def test_a_takeout_feed_reads_as_it_did_with_its_thread(client, db):
    report = run("import_blogger", "blogger-takeout.atom")
    assert report.startswith("3 posts, 7 comments imported; 0 already here.")

    page = html(client.get(TAKEOUT_POST))
    assert page.h1.get_text(strip=True) == "B cells in Bergen"
    body = page.select_one(".post-body")
    assert body.strong.get_text() == "continues"
    assert body.a["href"] == "https://doi.org/10.1186/1471-2377-9-28"
    post = Post.objects.get(slug="b-cells-in-bergen")
    assert sorted(label.name for label in post.labels.all()) == ["Bergen", "Rituximab"]
    assert post.published.isoformat() == "2010-03-15T17:00:00+00:00"

    # Numbered in the order they were written; 5 waits in the queue, 6 is spam.
    shown = [int(li["id"].removeprefix("c")) for li in page.select("ol.thread li[id^=c]")]
    assert shown == [1, 2, 3, 4, 7]
    assert [parent_number(page, n) for n in (1, 2, 3, 7)] == [None, 1, 2, None]
    assert page.find("li", id="c4").get_text(" ", strip=True) == "4. This comment has been removed."
    first = Comment.objects.get(number=1, post=post)
    assert first.body == "Thanks for this & the <b>link</b>.\nIs there a second site?"
    assert first.author_url == "https://ingrid.example.org/"
    assert Comment.objects.get(number=2, post=post).author_name == ""  # Anonymous
    states = dict(Comment.objects.values_list("author_name", "status"))
    assert (states["Ola"], states["cheap pills"]) == ("pending", "spam")


def test_takeout_drafts_stay_drafts_and_old_addresses_redirect(client, db, settings):
    settings.TIME_ZONE = "UTC"
    run("import_blogger", "blogger-takeout.atom")
    response = client.get("/2010/03/b-cells-in-bergen.html")
    assert (response.status_code, response["Location"]) == (301, TAKEOUT_POST)
    # Written at 23:30 on March 31 in California, which is April here.
    response = client.get("/2010/03/late-in-march.html")
    assert (response.status_code, response["Location"]) == (301, "/2010/04/late-in-march/")
    assert client.get(response["Location"]).status_code == 200

    draft = Post.objects.get(title="Half a plan")
    assert draft.status == Post.Status.DRAFT
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert not Post.objects.filter(title="Thrown away").exists()  # in Blogger's trash


def test_the_takeout_report_says_what_was_skipped_and_why(db):
    report = run("import_blogger", "blogger-takeout.atom")
    assert "1 × posts in Blogger's trash: “Thrown away”" in report
    assert "1 × pages (this blog has posts only): “About”" in report
    assert "1 × comments on pages: " in report
    assert "1 × comments on posts in Blogger's trash: " in report
    assert "post-8999999999999999999, which is not imported: it stands at the top level" in report
    assert Comment.objects.get(author_name="Astrid").parent is None


def test_the_takeout_zip_reads_as_its_feed_and_twice_is_once(client, db, tmp_path):
    archive = takeout(tmp_path)
    report = run("import_blogger", archive)
    assert report.startswith("3 posts, 7 comments imported; 0 already here.")
    before, page = counts(), reading(client.get(TAKEOUT_POST))
    assert [parent_number(html(client.get(TAKEOUT_POST)), n) for n in (2, 3)] == [1, 2]

    for again in (archive, EXPORTS / "blogger-takeout.atom"):
        report = run("import_blogger", again)
        assert report.startswith("0 posts, 0 comments imported; 10 already here.")
        assert counts() == before
        assert reading(client.get(TAKEOUT_POST)) == page


@pytest.mark.parametrize(
    "escape", ["../feed.atom", "/etc/cron.d/feed.atom", "Takeout/../../x", "C:/x", "..\\x"]
)
def test_a_zip_that_reaches_out_of_its_folder_is_refused_whole(db, tmp_path, escape):
    entries = {FEED: (EXPORTS / "blogger-takeout.atom").read_bytes(), escape: b"x"}
    archive = takeout(tmp_path, entries)
    with pytest.raises(CommandError) as refused:
        run("import_blogger", archive)
    assert str(refused.value) == (
        f"{archive}: refused: the archive holds {escape!r}, outside its folder; "
        "nothing was imported"
    )
    assert counts() == (0, 0, 0, 0)


def test_an_xml_bomb_in_a_zip_is_refused_with_where_it_is(db, tmp_path):
    archive = takeout(tmp_path, {FEED: (EXPORTS / "billion-laughs.xml").read_bytes()})
    with pytest.raises(CommandError) as refused:
        run("import_blogger", archive)
    assert str(refused.value).startswith(f"{archive}, {FEED}:3: refused: it declares the entity")
    assert counts() == (0, 0, 0, 0)


def test_a_zip_without_a_blogger_feed_is_refused(db, tmp_path):
    archive = takeout(tmp_path, {"Takeout/Drive/notes.txt": b"hello"})
    with pytest.raises(CommandError, match="the archive holds no Takeout/Blogger/Blogs/"):
        run("import_blogger", archive)
    two = takeout(tmp_path, {FEED: b"<feed/>", FEED.replace("Bergen", "Oslo"): b"<feed/>"})
    with pytest.raises(CommandError, match=r"2 blogs \(Notes from Bergen, Notes from Oslo\)"):
        run("import_blogger", two)


def test_a_file_of_entries_the_importer_cannot_place_is_no_success(db, tmp_path):
    # Posts that name their kind in neither format: nothing can be placed.
    feed = (EXPORTS / "blogger-takeout.atom").read_text()
    unknown = tmp_path / "feed.atom"
    unknown.write_text(re.sub(r"<blogger:type>(POST|COMMENT|PAGE)</blogger:type>", "", feed))
    out = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("import_blogger", str(unknown), stdout=out)
    assert str(failed.value).startswith(
        f"{unknown}: nothing was imported (entries of no kind this importer knows: neither a "
        "<blogger:type> nor a category"
    )
    assert out.getvalue().startswith("0 posts, 0 comments imported; 0 already here.\n")
    assert "Not understood 14:" in out.getvalue()
    assert "“B cells in Bergen”" in out.getvalue()

    # A kind Blogger may add one day is named, and the rest of the file still comes in.
    unknown.write_text(feed.replace("<blogger:type>PAGE<", "<blogger:type>STORY<"))
    report = run("import_blogger", unknown)
    assert report.startswith("3 posts, 7 comments imported")
    assert "1 × entries of the kind 'story', which this importer does not know: “About”" in report


def test_a_takeout_status_the_importer_does_not_know_keeps_the_entry_out_of_sight(
    client, db, tmp_path
):
    feed = (EXPORTS / "blogger-takeout.atom").read_text()
    odd = tmp_path / "feed.atom"
    odd.write_text(feed.replace("<blogger:status>LIVE<", "<blogger:status>IN_REVIEW<"))
    report = run("import_blogger", odd)
    assert "“B cells in Bergen”: the status 'IN_REVIEW' is not one this importer knows" in report
    assert client.get(TAKEOUT_POST).status_code == 404
    assert set(Comment.objects.values_list("status", flat=True)) <= {"pending", "removed", "spam"}


def test_a_comment_in_blogger_s_trash_keeps_its_place_in_the_thread(client, db, tmp_path):
    feed = (EXPORTS / "blogger-takeout.atom").read_text()
    anonymous = "<blogger:status>LIVE</blogger:status>\n    <author>\n      <name>Anonymous"
    assert anonymous in feed
    feed = feed.replace(anonymous, anonymous.replace("LIVE", "SOFT_TRASHED"))
    # A reply may name the comment it answers by its number alone.
    feed = feed.replace(
        "<blogger:inReplyTo>tag:blogger.com,1999:blog-5550000000000000001.post-8000000000000000002<",
        "<blogger:inReplyTo>8000000000000000002<",
    )
    (tmp_path / "feed.atom").write_text(feed)
    run("import_blogger", tmp_path / "feed.atom")
    page = html(client.get(TAKEOUT_POST))
    assert (
        page.find("li", id="c2")
        .get_text(" ", strip=True)
        .startswith("2. This comment has been removed.")
    )
    assert "Trondheim" not in page.get_text()
    assert [parent_number(page, n) for n in (2, 3)] == [1, 2]


# Its own app


def imported_by(app):
    """The top-level packages that the modules of `app` import."""
    found = set()
    for source in (Path(__file__).parent.parent / app).rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                found.add(node.module.split(".")[0])
    return found


def test_moving_knows_posts_and_comments_and_nothing_knows_it():
    assert {"blog", "comments"} <= imported_by("moving")
    assert "moderation" not in imported_by("moving")
    for app in ("blog", "comments", "moderation", "config"):
        assert "moving" not in imported_by(app), app
    assert not list((Path(__file__).parent.parent / "comments").glob("*/commands/import_*.py"))
