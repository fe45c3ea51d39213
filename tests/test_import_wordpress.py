"""Moving in from WordPress: the export imported with its posts, old addresses and threaded
comments, quietly and only once; a hostile file refused whole, hostile values dropped."""

from io import StringIO

import pytest
from conftest import html
from django.core.management import CommandError, call_command
from django.utils import timezone
from export_files import EXPORTS, WP_POST, counts, parent_number, reading, run

from blog.models import Post, PreviousAddress
from comments.models import Comment, Subscriber


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
