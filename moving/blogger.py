"""Read a Blogger export into an importing.Export. Blogger has written two kinds of file, both one
Atom feed with every post, comment and page an entry:

- Today's (Settings → Back up content, or Google Takeout): a .zip holding
  Takeout/Blogger/Blogs/<blog>/feed.atom, read from the zip itself or from the feed.atom taken
  out of it. An entry's kind is its <blogger:type> (POST, PAGE, COMMENT) in the namespace
  BLOGGER, and its state its <blogger:status> (LIVE, DRAFT, SOFT_TRASHED...). A comment names
  its post with <blogger:parent> and the comment it answers with <blogger:inReplyTo>; a post
  its old address with <blogger:filename>.
- The older backup (a .xml file): an entry's kind is a category in the scheme KIND. A comment
  names its post with <thr:in-reply-to ref>, and the comment it answers, if any, with
  <link rel="related"> to that comment's feed address.

Posts and comments are imported; the blog's settings, template and pages are not.
"""

import re
import zipfile
from datetime import datetime
from html import escape
from html.parser import HTMLParser
from io import BytesIO
from pathlib import PurePosixPath

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
BLOGGER = "{http://schemas.google.com/blogger/2018}"
# Blogger's exports have used both namespaces of the Atom Publishing Protocol.
APP = ("{http://purl.org/atom/app#}", "{http://www.w3.org/2007/app}")

KIND = "http://schemas.google.com/g/2005#kind"

NOT_IMPORTED = {
    "settings": "blog settings",
    "template": "the blog's template",
    "page": "pages (this blog has posts only)",
}
TRASHED = "posts in Blogger's trash"
# Comments on what is passed over, by what that is.
ON = {"page": "comments on pages", "trash": "comments on posts in Blogger's trash"}
# What Blogger shows, and exports, in place of a comment that was deleted but left a trace.
REMOVED = re.compile(r"This comment has been removed by (the author|a blog administrator)\.?")
# Blogger's address for commenters who gave none.
NO_EMAIL = "noreply@blogger.com"
POST_STATUS = {
    "LIVE": Post.Status.PUBLISHED,
    "SCHEDULED": Post.Status.PUBLISHED,  # published here too, at its date
    "DRAFT": Post.Status.DRAFT,
}
# A feed.atom larger than this, unpacked, is refused rather than read into memory: a zip bomb
# unpacks to many times its size.
FEED_LIMIT = 512 * 1024 * 1024


def read(data):
    """Parse a Blogger export's bytes (a Takeout .zip, its feed.atom, or an older backup's
    .xml) into an Export; raise importing.Refused if it is not one."""
    if not zipfile.is_zipfile(BytesIO(data)):
        return _read_feed(data)
    within, data = takeout_feed(data)
    try:
        return _read_feed(data)
    except Refused as refused:
        raise Refused(refused.line, refused.reason, within=within) from None


def takeout_feed(data):
    """The name and bytes of the one Takeout/Blogger/Blogs/<blog>/feed.atom in a zip.

    Refuses the zip whole if any of its entries would land outside the folder it is unpacked
    in (a `..` or an absolute path): an archive that reaches out is hostile, whatever else it
    holds, and is not read on.
    """
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            names = archive.namelist()
            for name in names:
                path = name.replace("\\", "/")  # as Windows would unpack it
                if path.startswith("/") or re.match(r"[A-Za-z]:", path) or ".." in path.split("/"):
                    raise Refused(None, f"refused: the archive holds {name!r}, outside its folder")
            feeds = [name for name in names if _is_feed(name)]
            if len(feeds) != 1:
                blogs = ", ".join(PurePosixPath(name).parent.name for name in feeds)
                raise Refused(
                    None,
                    f"the archive holds {len(feeds)} blogs ({blogs}): import the feed.atom of each"
                    if feeds
                    else "not a Blogger export: the archive holds no "
                    "Takeout/Blogger/Blogs/<blog>/feed.atom",
                )
            with archive.open(feeds[0]) as feed:
                data = feed.read(FEED_LIMIT + 1)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError) as error:
        raise Refused(None, f"not a readable zip archive: {error}") from None
    if len(data) > FEED_LIMIT:
        raise Refused(None, f"refused: {feeds[0]} unpacks to more than {FEED_LIMIT >> 20} MiB")
    return feeds[0], data


def _is_feed(name):
    parts = PurePosixPath(name).parts
    return parts[-1:] == ("feed.atom",) and "__MACOSX" not in parts and "Blogs" in parts[:-1]


def _read_feed(data):
    root, lines = parse_xml(data)
    if root.tag != f"{ATOM}feed":
        raise Refused(lines[root], f"not a Blogger export: <{_local(root.tag)}>, not an Atom feed")
    export = Export()
    passed_over = {}  # the id of each post or page not imported: what it is
    for entry in root.iter(f"{ATOM}entry"):
        kind = _kind(entry)
        title = _text(entry, "title")
        what = f"“{title}”" if title else f"the entry on line {lines[entry]}"
        if kind == "post" and _in_trash(entry):
            export.skipped.append((what, TRASHED))
            passed_over[_text(entry, "id")] = "trash"
        elif kind == "post":
            export.posts.append(_post(entry, lines, export))
        elif kind == "comment":
            export.comments.append(_comment(entry, lines, export))
        elif kind in NOT_IMPORTED:
            export.skipped.append((what, NOT_IMPORTED[kind]))
            passed_over[_text(entry, "id")] = kind
        else:
            export.not_understood.append((what, _not_understood(kind)))
    # Of what is passed over, pages and posts in the trash have comments.
    export.comments, comments = [], export.comments
    for comment in comments:
        if comment.post in passed_over:
            export.skipped.append((comment.origin, ON[passed_over[comment.post]]))
        else:
            export.comments.append(comment)
    return export


def _not_understood(kind):
    if kind is None:
        return (
            "entries of no kind this importer knows: neither a <blogger:type> nor a "
            "category in the scheme http://schemas.google.com/g/2005#kind"
        )
    return f"entries of the kind {kind!r}, which this importer does not know"


def _kind(entry):
    """post, comment, page, settings, template or another kind, in lower case; None if the
    entry names none in either format."""
    modern = entry.find(f"{BLOGGER}type")
    if modern is not None:
        return (modern.text or "").strip().lower()
    for category in entry.findall(f"{ATOM}category"):
        if category.get("scheme") == KIND:
            return category.get("term", "").rpartition("#")[2]
    return None


def _is_modern(entry):
    return entry.find(f"{BLOGGER}type") is not None


def _status(entry):
    return _text(entry, "status", BLOGGER).upper()


def _in_trash(entry):
    """Whether today's format has the entry in Blogger's trash (SOFT_TRASHED, or a date in
    <blogger:trashed>, which is empty for the rest) or deleted."""
    status = _status(entry)
    return _is_modern(entry) and (
        "TRASH" in status or "DELETE" in status or bool(_text(entry, "trashed", BLOGGER))
    )


def _post(entry, lines, export):
    origin = _required(entry, "id", lines)
    title = _text(entry, "title")
    if _is_modern(entry):
        url = _text(entry, "filename", BLOGGER)
        status = POST_STATUS.get(_status(entry))
        if status is None:
            # Kept out of sight until the owner looks: a post Blogger did not show may be private.
            status = Post.Status.DRAFT
            export.notes.append(
                f"“{title}”: the status {_status(entry)!r} is not one this importer knows; "
                "it is a draft here"
            )
    else:
        url = _permalink(entry)
        status = Post.Status.DRAFT if _is_draft(entry) else Post.Status.PUBLISHED
    # Blogger's permalink is /2009/11/slug.html; a draft has none yet.
    name = url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".html") if url else title
    return PostEntry(
        origin=origin,
        title=title,
        slug=slug_for(name, fallback=f"post-{origin.rsplit('-', 1)[-1]}"),
        body=markdown_from_html(_html(entry)),
        published=_date(entry, lines),
        status=status,
        labels=_labels(entry),
        old_url=url,
    )


def _comment(entry, lines, export):
    origin = _required(entry, "id", lines)
    modern = _is_modern(entry)
    if modern:
        post = _text(entry, "parent", BLOGGER)
        if not post:
            raise Refused(lines[entry], f"the comment {origin} names no post (<blogger:parent>)")
    else:
        reply_to = entry.find(f"{THR}in-reply-to")
        if reply_to is None or not reply_to.get("ref"):
            raise Refused(
                lines[entry], f"the comment {origin} names no post (<thr:in-reply-to ref>)"
            )
        post = reply_to.get("ref")
    author = entry.find(f"{ATOM}author")
    email = _text(author, "email")
    name = _text(author, "name")
    comment = CommentEntry(
        origin=origin,
        post=post,
        parent=_answers(origin, entry) if modern else _parent(origin, entry),
        created=_date(entry, lines),
        status=_comment_status(entry, origin, export) if modern else Comment.Status.PUBLISHED,
        # Blogger calls a commenter who gave no name Anonymous, as this blog does by itself.
        author_name="" if name == "Anonymous" else name,
        author_email="" if email == NO_EMAIL else email,
        author_url=_text(author, "uri"),
        body=comment_text(_html(entry)),
    )
    if comment.status == Comment.Status.REMOVED or _removed(entry, comment.body):
        comment.make_tombstone()
    return comment


def _comment_status(entry, origin, export):
    """A comment's status here, from its <blogger:status>: LIVE is published, a spam state is
    spam, one in the trash or deleted is a tombstone, and any other waits for the owner."""
    status = _status(entry)
    if "SPAM" in status:
        return Comment.Status.SPAM
    if _in_trash(entry):
        return Comment.Status.REMOVED
    if status == "LIVE":
        return Comment.Status.PUBLISHED
    if status != "PENDING":
        export.notes.append(
            f"{origin}: the status {status!r} is not one this importer knows; it waits in the "
            "moderation queue"
        )
    return Comment.Status.PENDING


def _answers(origin, entry):
    """The origin of the comment this one answers, from its <blogger:inReplyTo>, or ""."""
    answered = _text(entry, "inReplyTo", BLOGGER)
    if answered.isdigit():
        # A bare number is the comment's own; ids are the blog's and the comment's.
        return re.sub(r"\d+$", answered, origin)
    return answered


def _labels(entry):
    # The older format's labels are in the scheme http://www.blogger.com/atom/ns#, today's in
    # one named for the blog: every category but the kind is a label.
    names = []
    for category in entry.findall(f"{ATOM}category"):
        name = category.get("term", "").strip()
        if category.get("scheme") != KIND and name and name not in names:
            names.append(name)
    return names


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


def _text(element, name, namespace=ATOM):
    found = None if element is None else element.find(f"{namespace}{name}")
    return "" if found is None else (found.text or "").strip()


def _required(entry, name, lines):
    value = _text(entry, name)
    if not value:
        raise Refused(lines[entry], f"an entry has no <{name}>")
    return value


def _date(entry, lines):
    """When the entry was published; else, for a draft of today's format that never was, when
    it was written."""
    element = entry.find(f"{ATOM}published")
    if element is None and _is_modern(entry):
        element = entry.find(f"{BLOGGER}created")
    if element is None:
        raise Refused(lines[entry], "an entry has no <published>")
    value = (element.text or "").strip()
    name = "published" if element.tag == f"{ATOM}published" else "blogger:created"
    try:
        date = datetime.fromisoformat(value)
    except ValueError:
        raise Refused(lines[element], f"<{name}> {value!r} is not a date") from None
    if date.tzinfo is None:
        raise Refused(lines[element], f"<{name}> {value!r} has no time zone")
    return date


def _local(tag):
    return tag.rpartition("}")[2]
