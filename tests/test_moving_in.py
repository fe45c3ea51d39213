"""Moving in: a Blogger or WordPress export imported with its posts, old addresses and threaded
comments, quietly and only once; a malformed or hostile file refused whole; and everything
exported again as a fixture that loaddata reads back."""

import ast
import json
import re
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from conftest import POST_URL, html, post_comment
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from blog import sanitize
from blog.models import Label, Post, PreviousAddress
from comments.models import Comment, Subscriber

EXPORTS = Path(__file__).parent / "exports"
SEED = json.loads((Path(__file__).parent.parent / "config" / "fixtures" / "seed.json").read_text())


def run(command, name):
    """Run an import command on one of tests/exports; return what it printed."""
    out = StringIO()
    call_command(command, str(EXPORTS / name), stdout=out)
    return out.getvalue()


def counts():
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
    outer = page.find("li", id=f"c{n}").find_parent("li")
    return int(outer["id"].removeprefix("c")) if outer else None


# From Blogger


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


# From today's Blogger: Back up content, or Google Takeout

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


def run_file(path):
    out = StringIO()
    call_command("import_blogger", str(path), stdout=out)
    return out.getvalue()


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
    assert run_file(archive).startswith("3 posts, 7 comments imported; 0 already here.")
    before, page = counts(), reading(client.get(TAKEOUT_POST))
    assert [parent_number(html(client.get(TAKEOUT_POST)), n) for n in (2, 3)] == [1, 2]

    for again in (archive, EXPORTS / "blogger-takeout.atom"):
        assert run_file(again).startswith("0 posts, 0 comments imported; 10 already here.")
        assert counts() == before
        assert reading(client.get(TAKEOUT_POST)) == page


@pytest.mark.parametrize(
    "escape", ["../feed.atom", "/etc/cron.d/feed.atom", "Takeout/../../x", "C:/x", "..\\x"]
)
def test_a_zip_that_reaches_out_of_its_folder_is_refused_whole(db, tmp_path, escape):
    entries = {FEED: (EXPORTS / "blogger-takeout.atom").read_bytes(), escape: b"x"}
    archive = takeout(tmp_path, entries)
    with pytest.raises(CommandError) as refused:
        run_file(archive)
    assert str(refused.value) == (
        f"{archive}: refused: the archive holds {escape!r}, outside its folder; "
        "nothing was imported"
    )
    assert counts() == (0, 0, 0, 0)


def test_an_xml_bomb_in_a_zip_is_refused_with_where_it_is(db, tmp_path):
    archive = takeout(tmp_path, {FEED: (EXPORTS / "billion-laughs.xml").read_bytes()})
    with pytest.raises(CommandError) as refused:
        run_file(archive)
    assert str(refused.value).startswith(f"{archive}, {FEED}:3: refused: it declares the entity")
    assert counts() == (0, 0, 0, 0)


def test_a_zip_without_a_blogger_feed_is_refused(db, tmp_path):
    archive = takeout(tmp_path, {"Takeout/Drive/notes.txt": b"hello"})
    with pytest.raises(CommandError, match="the archive holds no Takeout/Blogger/Blogs/"):
        run_file(archive)
    two = takeout(tmp_path, {FEED: b"<feed/>", FEED.replace("Bergen", "Oslo"): b"<feed/>"})
    with pytest.raises(CommandError, match=r"2 blogs \(Notes from Bergen, Notes from Oslo\)"):
        run_file(two)


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
    report = run_file(unknown)
    assert report.startswith("3 posts, 7 comments imported")
    assert "1 × entries of the kind 'story', which this importer does not know: “About”" in report


def test_a_takeout_status_the_importer_does_not_know_keeps_the_entry_out_of_sight(
    client, db, tmp_path
):
    feed = (EXPORTS / "blogger-takeout.atom").read_text()
    odd = tmp_path / "feed.atom"
    odd.write_text(feed.replace("<blogger:status>LIVE<", "<blogger:status>IN_REVIEW<"))
    report = run_file(odd)
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
    run_file(tmp_path / "feed.atom")
    page = html(client.get(TAKEOUT_POST))
    assert (
        page.find("li", id="c2")
        .get_text(" ", strip=True)
        .startswith("2. This comment has been removed.")
    )
    assert "Trondheim" not in page.get_text()
    assert [parent_number(page, n) for n in (2, 3)] == [1, 2]


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


# From WordPress

WP_POST = "/2010/03/b-cells-again/"


def test_a_wordpress_post_reads_as_it_did_with_its_thread(client, db):
    report = run("import_wxr", "wordpress.xml")
    assert report.startswith("2 posts, 7 comments imported; 0 already here.")

    page = html(client.get(WP_POST))
    assert page.h1.get_text(strip=True) == "B cells, again"
    body = page.select_one(".post-body")
    # WordPress keeps paragraphs as blank lines, line breaks as newlines.
    assert [p.get_text() for p in body.find_all("p")][1:] == [
        "A second paragraph\nwith a line break."
    ]
    assert body.a["href"] == "https://doi.org/10.1186/1471-2377-9-28"
    assert body.pre.get_text() == "  two\n\n  lines\n"
    post = Post.objects.get(slug="b-cells-again")
    assert sorted(label.name for label in post.labels.all()) == ["News", "Rituximab"]

    # Numbered in the order they were written: 10, 11, 12, 13, 14, 17, 16 in WordPress.
    shown = [int(li["id"].removeprefix("c")) for li in page.select("ol.thread li[id^=c]")]
    assert shown == [1, 2, 6, 5, 7]  # 3 waits in the queue, 4 is spam
    assert [parent_number(page, n) for n in (2, 6, 7)] == [1, 2, None]
    assert page.find("li", id="c1").select_one(".comment-body").get_text("\n").strip() == (
        "Thank you for this.\nIt reads well."
    )
    assert page.find("li", id="c5").get_text(" ", strip=True) == "5. This comment has been removed."


def test_a_thread_deeper_than_the_blog_allows_is_kept_and_shown_flat(client, db, settings):
    settings.COMMENTS_MAX_DEPTH = 1
    run("import_wxr", "wordpress.xml")
    assert Comment.objects.get(number=6).parent.parent.number == 1
    page = html(client.get(WP_POST))
    assert parent_number(page, 6) == 1  # shown at the deepest level
    assert page.find("li", id="c6").select_one(".comment-context").get_text() == "In reply to 2"


def test_wordpress_moderation_states_are_kept(admin_client, db):
    run("import_wxr", "wordpress.xml")
    states = dict(Comment.objects.values_list("author_name", "status").exclude(author_name=""))
    assert states["Kari Nordmann"] == "pending"
    assert states["cheap pills"] == "spam"
    removed = Comment.objects.get(status="removed")
    assert (removed.body, removed.author_name, removed.author_email) == ("", "", "")
    queue = html(admin_client.get("/admin/moderation/queuedcomment/")).get_text()
    assert "Is there a trial in Bergen too?" in queue
    assert "Buy cheap pills" in queue


def test_a_wordpress_draft_stays_a_draft_and_closed_comments_stay_closed(client, db):
    run("import_wxr", "wordpress.xml")
    draft = Post.objects.get(title="Unfinished")
    assert draft.status == Post.Status.DRAFT
    assert draft.commenting == Post.Commenting.CLOSED
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_the_old_wordpress_address_answers_with_a_redirect(client, db):
    run("import_wxr", "wordpress.xml")
    response = client.get("/2010/03/15/b-cells-again/")
    assert response.status_code == 301
    assert response["Location"] == WP_POST
    # "/?p=8" names a post by its query string: no address here can stand for it.
    assert list(PreviousAddress.objects.values_list("path", flat=True)) == [
        "/2010/03/15/b-cells-again/"
    ]


def test_importing_from_wordpress_twice_changes_nothing(client, db):
    run("import_wxr", "wordpress.xml")
    before, page = counts(), reading(client.get(WP_POST))
    report = run("import_wxr", "wordpress.xml")
    assert report.startswith("0 posts, 0 comments imported; 9 already here.")
    assert counts() == before
    assert reading(client.get(WP_POST)) == page


def test_the_wordpress_report_says_what_was_skipped_and_why(db):
    report = run("import_wxr", "wordpress.xml")
    assert "1 × attachments (media files, which stay where they are): “bcells”" in report
    assert "1 × pages (this blog has posts only): “About”" in report
    assert "1 × menu items: “Home”" in report
    assert "1 × comments on what is not imported: https://bergen.example.org/?p=7#comment-20" in (
        report
    )
    assert "pingbacks and trackbacks (links from other blogs, not comments): " in report
    assert "?p=5#comment-9, which is not imported: it stands at the top level" in report


def test_a_wordpress_import_sends_no_mail_and_keeps_no_addresses(
    db, mailoutbox, settings, django_capture_on_commit_callbacks
):
    # Ingrid confirmed her address for replies, and Per and Ingrid answer each other: were
    # these comments posted today, she would be told, and the owner of the held one.
    Subscriber.objects.create(email="ingrid@example.org", confirmed=timezone.now())
    settings.OWNER_EMAIL = "owner@example.org"
    with django_capture_on_commit_callbacks(execute=True):
        run("import_wxr", "wordpress.xml")
    assert mailoutbox == []
    assert not Comment.objects.filter(ip_address__isnull=False).exists()


def test_a_hostile_wordpress_file_is_refused_and_reads_nothing(db):
    with pytest.raises(CommandError) as refused:
        run("import_wxr", "external-entity.xml")
    assert ":3: refused: it declares the entity 'secret'" in str(refused.value)
    assert "root:" not in str(refused.value)
    assert counts() == (0, 0, 0, 0)


def test_a_wordpress_date_that_cannot_be_read_is_refused_with_its_line(db, tmp_path):
    broken = tmp_path / "wordpress.xml"
    broken.write_text(
        (EXPORTS / "wordpress.xml")
        .read_text()
        .replace(
            "<![CDATA[2010-03-16 09:00:00]]></wp:comment_date_gmt>",
            "16/3/2010</wp:comment_date_gmt>",
        )
    )
    with pytest.raises(CommandError) as refused:
        call_command("import_wxr", str(broken), stdout=StringIO())
    assert str(refused.value) == (
        f"{broken}:132: <wp:comment_date_gmt> '16/3/2010' is not a date; nothing was imported"
    )
    assert counts() == (0, 0, 0, 0)


def test_a_file_of_the_other_kind_is_refused(db):
    with pytest.raises(CommandError, match=r"blogger-seed.xml:3: not a WordPress export"):
        run("import_wxr", "blogger-seed.xml")
    with pytest.raises(CommandError, match=r"wordpress.xml:5: not a Blogger export"):
        run("import_blogger", "wordpress.xml")


# Moving out: everything as one fixture


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


def test_imported_script_websites_and_broken_emails_are_dropped_with_a_note(client, db, tmp_path):
    hostile = (EXPORTS / "wordpress.xml").read_text()
    hostile = hostile.replace("https://ingrid.example.org", "javascript:alert(document.cookie)")
    hostile = hostile.replace("per@example.org", "per@example.org\nBcc: everyone@example.org")
    (tmp_path / "hostile.xml").write_text(hostile)
    out = StringIO()
    call_command("import_wxr", str(tmp_path / "hostile.xml"), stdout=out)
    assert "website 'javascript:alert(document.cookie)' is not an http(s) address" in out.getvalue()
    assert "is not an address; dropped" in out.getvalue()
    assert not Comment.objects.filter(author_url__startswith="javascript").exists()
    assert set(
        Comment.objects.filter(author_name="Per").values_list("author_email", flat=True)
    ) == {""}


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
