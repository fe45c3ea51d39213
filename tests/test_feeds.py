"""Feeds, sitemap and robots.txt for machines; canonical and OpenGraph tags for sharing.
Feeds are read with a real XML parser, and their comment text must stay text."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from bs4 import BeautifulSoup
from conftest import POST_URL, comment_number, html

from blog.models import Label, Post
from comments.models import Comment
from moderation.models import Decision

ATOM = "{http://www.w3.org/2005/Atom}"


def atom(response):
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)


def entries(feed):
    return feed.findall(f"{ATOM}entry")


def test_the_posts_feed_is_atom_with_ids_dates_and_links(client, seed):
    feed = atom(client.get("/feeds/posts/"))
    assert feed.find(f"{ATOM}title").text == "Blog"
    (entry,) = entries(feed)
    assert entry.find(f"{ATOM}title").text == "Norwegian Study Offers Clues"
    assert entry.find(f"{ATOM}link").get("href") == f"http://testserver{POST_URL}"
    assert entry.find(f"{ATOM}id").text
    published = datetime.fromisoformat(entry.find(f"{ATOM}published").text)
    assert published.date().isoformat() == "2009-11-27"
    content = BeautifulSoup(entry.find(f"{ATOM}summary").text, "html5lib")
    assert content.find("a", href="https://doi.org/10.1186/1471-2377-9-28")


def test_the_comments_feed_has_the_published_comments_newest_first(client, seed):
    feed = atom(client.get("/feeds/comments/"))
    titles = [e.find(f"{ATOM}title").text for e in entries(feed)]
    assert len(titles) == 12
    assert titles[0] == "Anonymous on “Norwegian Study Offers Clues”"
    assert "XMRV Positive in the UK on “Norwegian Study Offers Clues”" in titles
    ids = [e.find(f"{ATOM}id").text for e in entries(feed)]
    assert len(set(ids)) == 12
    text = " ".join(e.find(f"{ATOM}summary").text for e in entries(feed))
    assert "endocannabinoid" not in text  # the spam
    ten = comment_number(10)
    link = next(
        e.find(f"{ATOM}link").get("href")
        for e in entries(feed)
        if e.find(f"{ATOM}author/{ATOM}name").text == "XMRV Positive in the UK"
    )
    assert client.get(link.removeprefix("http://testserver"))["Location"] == POST_URL + "#c10"
    assert ten.body.splitlines()[0] in text


def test_one_posts_comment_feed(client, seed):
    feed = atom(client.get(f"/feeds/comments/{seed.pk}/"))
    assert feed.find(f"{ATOM}title").text == "Comments on “Norwegian Study Offers Clues”"
    assert len(entries(feed)) == 12
    assert client.get("/feeds/comments/999/").status_code == 404


def test_markup_in_a_comment_is_escaped_text_in_the_feed(client, seed):
    evil = Comment.objects.create(
        post=seed, body='<script>alert("x")</script> & <b>bold</b>', status="published"
    )
    feed = atom(client.get("/feeds/comments/"))
    entry = next(e for e in entries(feed) if "alert" in e.find(f"{ATOM}summary").text)
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    rendered = BeautifulSoup(summary.text, "html5lib")
    assert rendered.find("script") is None
    assert '<script>alert("x")</script>' in rendered.get_text()
    assert rendered.find("b").get_text() == "bold"
    assert evil.number == 16


def test_pages_point_to_their_feeds(client, seed):
    page = html(client.get(POST_URL))
    feeds = {
        link["href"] for link in page.find_all("link", rel="alternate", type="application/atom+xml")
    }
    assert feeds == {"/feeds/posts/", "/feeds/comments/", f"/feeds/comments/{seed.pk}/"}


def test_the_sitemap_lists_the_published_posts(client, seed):
    root = ET.fromstring(client.get("/sitemap.xml").content)
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    locations = [url.find(f"{ns}loc").text for url in root.findall(f"{ns}url")]
    assert locations[-1:] == [f"http://testserver{POST_URL}"]
    assert root.findall(f"{ns}url/{ns}lastmod")[-1].text == "2009-11-27"


def test_robots_txt_keeps_crawlers_out_of_the_admin_and_names_the_sitemap(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Disallow: /admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_a_post_has_canonical_and_sharing_tags(client, seed):
    page = html(client.get(POST_URL + "?page=1"))
    assert page.find("link", rel="canonical")["href"] == f"http://testserver{POST_URL}"
    meta = {
        tag.get("property") or tag.get("name"): tag["content"]
        for tag in page.find_all("meta")
        if tag.get("content")
    }
    assert meta["og:type"] == "article"
    assert meta["og:title"] == "Norwegian Study Offers Clues"
    assert meta["og:url"] == f"http://testserver{POST_URL}"
    assert meta["og:description"].startswith("An experimental ME/CFS treatment in Norway")
    assert meta["article:published_time"].startswith("2009-11-27")
    assert meta["twitter:card"] == "summary"


THR = "{http://purl.org/syndication/thread/1.0}"


def test_the_posts_feed_names_its_author_as_atom_requires(client, seed, settings):
    settings.BLOG_AUTHOR = "Cort Johnson"
    feed = atom(client.get("/feeds/posts/"))
    assert feed.find(f"{ATOM}author/{ATOM}name").text == "Cort Johnson"
    (entry,) = entries(feed)
    assert entry.find(f"{ATOM}author/{ATOM}name").text == "Cort Johnson"
    comments = atom(client.get("/feeds/comments/"))
    assert comments.find(f"{ATOM}author/{ATOM}name").text == "Cort Johnson"


def test_feed_ids_are_tag_uris_whatever_host_the_reader_asked(client, seed, settings):
    settings.SITE_URL = "https://blog.example.org"
    settings.ALLOWED_HOSTS = ["blog.example.org", "www.blog.example.org", "10.0.0.7"]
    ids = []
    for host in ("blog.example.org", "www.blog.example.org", "10.0.0.7"):
        for url in ("/feeds/posts/", "/feeds/comments/", f"/feeds/comments/{seed.pk}/"):
            feed = atom(client.get(url, headers={"host": host}))
            ids.append(
                [feed.find(f"{ATOM}id").text] + [e.find(f"{ATOM}id").text for e in entries(feed)]
            )
    assert ids[0:3] == ids[3:6] == ids[6:9]
    posts, everywhere, one = ids[0:3]
    assert posts[1] == f"tag:blog.example.org,2009-11-27:/posts/{seed.pk}"
    ten = comment_number(10)
    assert f"tag:blog.example.org,{ten.created:%Y-%m-%d}:/comments/{ten.pk}/" in one
    assert all(id.startswith("tag:blog.example.org,") for id in everywhere[1:])


def test_a_post_entry_links_its_comments_feed_and_counts_the_published_ones(client, seed, settings):
    settings.SITE_URL = "https://blog.example.org"

    def replies():
        (entry,) = entries(atom(client.get("/feeds/posts/")))
        (link,) = entry.findall(f"{ATOM}link[@rel='replies']")
        return link.get("href"), link.get(f"{THR}count"), entry.find(f"{THR}total").text

    href = f"https://blog.example.org/feeds/comments/{seed.pk}/"
    assert replies() == (href, "12", "12")
    assert len(entries(atom(client.get(href.removeprefix("https://blog.example.org"))))) == 12
    Decision.objects.change(Comment.objects.filter(number=12), Comment.Status.PENDING)
    assert replies() == (href, "11", "11")


def test_the_posts_feed_costs_the_same_queries_for_one_post_or_twenty(
    client, seed, django_assert_num_queries
):
    # The posts, their labels, their comment counts.
    with django_assert_num_queries(3):
        client.get("/feeds/posts/")
    for i in range(19):
        Post.objects.create(title=f"P{i}", slug=f"p{i}", body="x", published=seed.published)
    with django_assert_num_queries(3):
        assert len(entries(atom(client.get("/feeds/posts/")))) == 20


def test_the_sitemap_lists_the_pages_of_posts_dated_by_their_newest(client, seed):
    rituximab, drafts = Label.objects.named("Rituximab"), Label.objects.named("Coming soon")
    seed.labels.add(rituximab)
    newer = Post.objects.create(
        title="Later", slug="later", body="x", published=datetime(2010, 3, 2, 9, tzinfo=UTC)
    )
    newer.labels.add(rituximab)
    draft = Post.objects.create(title="Draft", slug="draft", body="x", status=Post.Status.DRAFT)
    draft.labels.add(drafts, rituximab)

    root = ET.fromstring(client.get("/sitemap.xml").content)
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    lastmod = {
        url.find(f"{ns}loc").text.removeprefix("http://testserver"): url.find(f"{ns}lastmod").text
        for url in root.findall(f"{ns}url")
    }
    assert lastmod == {
        "/": "2010-03-02",
        "/archive/": "2010-03-02",
        "/labels/": "2010-03-02",
        "/2010/": "2010-03-02",
        "/2010/03/": "2010-03-02",
        "/2009/": "2009-11-27",
        "/2009/11/": "2009-11-27",
        "/label/rituximab/": "2010-03-02",
        POST_URL: "2009-11-27",
        "/2010/03/later/": "2010-03-02",
    }
    for path in lastmod:
        assert client.get(path).status_code == 200, path
