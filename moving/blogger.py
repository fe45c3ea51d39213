"""Read a Blogger export (Settings → Manage blog → Back up content: one Atom feed, every post,
comment and setting an entry) into an importing.Export.

An entry's kind is a category in the scheme KIND: posts and comments are imported; the blog's
settings, template and pages are not. A comment names its post with <thr:in-reply-to ref>, and
the comment it answers, if any, with <link rel="related"> to that comment's feed address.
"""

import re
from datetime import datetime
from html import escape
from html.parser import HTMLParser

from blog.models import Post
from blog.sanitize import COMMENT_TAGS
from comments.models import Comment

from .importing import (
    CommentEntry,
    Export,
    PostEntry,
    Refused,
    markdown_from_html,
    parse_xml,
    slug_for,
)

ATOM = "{http://www.w3.org/2005/Atom}"
THR = "{http://purl.org/syndication/thread/1.0}"
GD = "{http://schemas.google.com/g/2005}"
# Blogger's exports have used both namespaces of the Atom Publishing Protocol.
APP = ("{http://purl.org/atom/app#}", "{http://www.w3.org/2007/app}")

KIND = "http://schemas.google.com/g/2005#kind"
LABEL = "http://www.blogger.com/atom/ns#"

NOT_IMPORTED = {
    "settings": "blog settings",
    "template": "the blog's template",
    "page": "pages (this blog has posts only)",
}
# What Blogger shows, and exports, in place of a comment that was deleted but left a trace.
REMOVED = re.compile(r"This comment has been removed by (the author|a blog administrator)\.?")
# Blogger's address for commenters who gave none.
NO_EMAIL = "noreply@blogger.com"


def read(data):
    """Parse a Blogger export's bytes into an Export; raise importing.Refused if it is not one."""
    root, lines = parse_xml(data)
    if root.tag != f"{ATOM}feed":
        raise Refused(lines[root], f"not a Blogger export: <{_local(root.tag)}>, not an Atom feed")
    export = Export()
    passed_over = set()
    for entry in root.iter(f"{ATOM}entry"):
        kind = _kind(entry)
        if kind == "post":
            export.posts.append(_post(entry, lines))
        elif kind == "comment":
            export.comments.append(_comment(entry, lines))
        else:
            title = _text(entry, "title")
            what = f"“{title}”" if title else f"the entry on line {lines[entry]}"
            export.skipped.append((what, NOT_IMPORTED.get(kind, f"entries of the kind {kind!r}")))
            passed_over.add(_text(entry, "id"))
    # Of what is passed over, pages have comments.
    on_pages = [comment for comment in export.comments if comment.post in passed_over]
    export.comments = [comment for comment in export.comments if comment.post not in passed_over]
    export.skipped += [(comment.origin, "comments on pages") for comment in on_pages]
    return export


def _post(entry, lines):
    origin = _required(entry, "id", lines)
    url = _permalink(entry)
    title = _text(entry, "title")
    # Blogger's permalink is /2009/11/slug.html; a draft has none yet.
    name = url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".html") if url else title
    return PostEntry(
        origin=origin,
        title=title,
        slug=slug_for(name, fallback=f"post-{origin.rsplit('-', 1)[-1]}"),
        body=markdown_from_html(_html(entry)),
        published=_date(entry, "published", lines),
        status=Post.Status.DRAFT if _is_draft(entry) else Post.Status.PUBLISHED,
        labels=[
            c.get("term").strip()
            for c in entry.findall(f"{ATOM}category")
            if c.get("scheme") == LABEL and c.get("term", "").strip()
        ],
        old_url=url,
    )


def _comment(entry, lines):
    origin = _required(entry, "id", lines)
    reply_to = entry.find(f"{THR}in-reply-to")
    if reply_to is None or not reply_to.get("ref"):
        raise Refused(lines[entry], f"the comment {origin} names no post (<thr:in-reply-to ref>)")
    author = entry.find(f"{ATOM}author")
    email = _text(author, "email")
    name = _text(author, "name")
    comment = CommentEntry(
        origin=origin,
        post=reply_to.get("ref"),
        parent=_parent(origin, entry),
        created=_date(entry, "published", lines),
        status=Comment.Status.PUBLISHED,
        # Blogger calls a commenter who gave no name Anonymous, as this blog does by itself.
        author_name="" if name == "Anonymous" else name,
        author_email="" if email == NO_EMAIL else email,
        author_url=_text(author, "uri"),
        body=comment_text(_html(entry)),
    )
    if _removed(entry, comment.body):
        comment.make_tombstone()
    return comment


def _permalink(entry):
    for link in _links(entry, "alternate"):
        if link.get("type") == "text/html":
            return link.get("href", "")
    return ""


def _parent(origin, entry):
    """The origin of the comment this one answers, from its rel="related" link, or ""."""
    for link in _links(entry, "related"):
        found = re.search(r"/comments/default/(\d+)", link.get("href", ""))
        if found:
            # Comment ids are the blog's id and the comment's: tag:blogger.com,1999:blog-1.post-2
            return re.sub(r"\d+$", found[1], origin)
    return ""


def _removed(entry, text):
    flagged = any(
        p.get("name") == "blogger.contentRemoved" and p.get("value") == "true"
        for p in entry.findall(f"{GD}extendedProperty")
    )
    return flagged or REMOVED.fullmatch(text.strip()) is not None


def comment_text(html):
    """What a commenter typed, from the HTML Blogger shows it as.

    Line breaks come back from <br>s, entities are decoded, and tags are dropped except the
    few a comment may hold here (blog.sanitize.COMMENT_TAGS: Blogger's comment form allowed
    <b>, <i> and <a href>), which are kept as the commenter typed them.
    """
    reader = _CommentReader()
    reader.feed(html)
    reader.close()
    return "".join(reader.text).strip()


class _CommentReader(HTMLParser):
    KEPT = COMMENT_TAGS - {"p", "br"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text = []

    def handle_starttag(self, tag, attrs):
        if tag == "br":
            self.text.append("\n")
        elif tag == "p" and self.text:
            self.text.append("\n\n")
        elif tag == "a":
            href = dict(attrs).get("href")
            self.text.append(f'<a href="{escape(href)}">' if href else "<a>")
        elif tag in self.KEPT:
            self.text.append(f"<{tag}>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in self.KEPT:
            self.text.append(f"</{tag}>")

    def handle_data(self, data):
        self.text.append(data)


def _kind(entry):
    for category in entry.findall(f"{ATOM}category"):
        if category.get("scheme") == KIND:
            return category.get("term", "").rpartition("#")[2]
    return "unknown"


def _is_draft(entry):
    return any(
        (draft.text or "").strip() == "yes"
        for app in APP
        for draft in entry.findall(f"{app}control/{app}draft")
    )


def _links(entry, rel):
    return [link for link in entry.findall(f"{ATOM}link") if link.get("rel") == rel]


def _html(entry):
    content = entry.find(f"{ATOM}content")
    if content is None:
        return ""
    text = content.text or ""
    return text if content.get("type", "text") == "html" else escape(text)


def _text(element, name):
    found = None if element is None else element.find(f"{ATOM}{name}")
    return "" if found is None else (found.text or "").strip()


def _required(entry, name, lines):
    value = _text(entry, name)
    if not value:
        raise Refused(lines[entry], f"an entry has no <{name}>")
    return value


def _date(entry, name, lines):
    element = entry.find(f"{ATOM}{name}")
    line = lines[entry if element is None else element]
    value = _text(entry, name)
    try:
        date = datetime.fromisoformat(value)
    except ValueError:
        raise Refused(line, f"<{name}> {value!r} is not a date") from None
    if date.tzinfo is None:
        raise Refused(line, f"<{name}> {value!r} has no time zone")
    return date


def _local(tag):
    return tag.rpartition("}")[2]
