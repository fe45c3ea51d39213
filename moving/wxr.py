"""Read a WordPress export (Tools → Export: a WXR file, RSS 2.0 with wp: elements) into an
importing.Export.

Each <item> is a post, page, attachment or menu item, told by <wp:post_type>; posts are
imported, with the <wp:comment>s they hold. A comment names the comment it answers by
<wp:comment_parent> (0 at the top level), and its moderation state by <wp:comment_approved>.
"""

import re
from datetime import UTC, datetime

from django.utils import timezone

from blog.models import Post
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

CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
# WXR 1.0, 1.1 and 1.2 differ in the version in this namespace, not in what we read.
WORDPRESS = "{http://wordpress.org/export/"

STATUS = {
    "publish": Post.Status.PUBLISHED,
    "future": Post.Status.PUBLISHED,  # scheduled: published here too, at its date
    "draft": Post.Status.DRAFT,
    "pending": Post.Status.DRAFT,
    "private": Post.Status.DRAFT,
}
NOT_IMPORTED_STATUS = {
    "trash": "posts in WordPress's trash",
    "auto-draft": "auto-drafts (empty drafts WordPress saved by itself)",
}
NOT_IMPORTED_TYPE = {
    "page": "pages (this blog has posts only)",
    "attachment": "attachments (media files, which stay where they are)",
    "nav_menu_item": "menu items",
}
COMMENT_STATUS = {
    "1": Comment.Status.PUBLISHED,
    "0": Comment.Status.PENDING,
    "spam": Comment.Status.SPAM,
    "trash": Comment.Status.REMOVED,
    "post-trashed": Comment.Status.REMOVED,
}
PINGS = "pingbacks and trackbacks (links from other blogs, not comments)"
# Stored at a date of zeros: a draft never scheduled.
NO_DATE = "0000-00-00 00:00:00"


def read(data):
    """Parse a WXR file's bytes into an Export; raise importing.Refused if it is not one."""
    root, lines = parse_xml(data)
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise Refused(lines[root], f"not a WordPress export: <{root.tag}>, not <rss><channel>")
    wp = _namespace(root)
    if wp is None:
        raise Refused(lines[channel], "not a WordPress export: an RSS feed with no wp: elements")
    site = (_text(channel, f"{wp}base_blog_url") or _text(channel, "link")).rstrip("/")
    export = Export()
    for item in channel.findall("item"):
        _item(item, wp, site, lines, export)
    return export


def _item(item, wp, site, lines, export):
    title = _text(item, "title")
    post_id = _required(item, f"{wp}post_id", lines)
    # WordPress's own short address for the post, and so one that no other post shares.
    origin = f"{site}/?p={post_id}"
    comments = item.findall(f"{wp}comment")
    kind = _text(item, f"{wp}post_type") or "post"
    status = _text(item, f"{wp}status")
    if kind != "post" or status not in STATUS:
        if kind != "post":
            reason = NOT_IMPORTED_TYPE.get(kind, f"items of the type {kind!r}")
        else:
            reason = NOT_IMPORTED_STATUS.get(status, f"posts with the status {status!r}")
        export.skipped.append((f"“{title}”" if title else origin, reason))
        export.skipped += [
            (_comment_origin(origin, c, wp, lines), "comments on what is not imported")
            for c in comments
        ]
        return
    export.posts.append(
        PostEntry(
            origin=origin,
            title=title,
            slug=slug_for(_text(item, f"{wp}post_name") or title, fallback=f"post-{post_id}"),
            body=markdown_from_html(_paragraphs(_text(item, f"{CONTENT}encoded"))),
            published=_date(item, f"{wp}post_date", lines),
            status=STATUS[status],
            labels=_labels(item),
            old_url=_text(item, "link"),
            commenting=(
                Post.Commenting.CLOSED
                if _text(item, f"{wp}comment_status") == "closed"
                else Post.Commenting.CLOSING
            ),
        )
    )
    for element in comments:
        comment_origin = _comment_origin(origin, element, wp, lines)
        kind = _text(element, f"{wp}comment_type")
        if kind in ("pingback", "trackback"):
            export.skipped.append((comment_origin, PINGS))
            continue
        if kind not in ("", "comment"):
            export.skipped.append((comment_origin, f"comments of the type {kind!r}"))
            continue
        parent = _text(element, f"{wp}comment_parent")
        comment = CommentEntry(
            origin=comment_origin,
            post=origin,
            parent=f"{origin}#comment-{parent}" if parent not in ("", "0") else "",
            created=_date(element, f"{wp}comment_date", lines),
            # Unknown states wait for the owner rather than appear.
            status=COMMENT_STATUS.get(
                _text(element, f"{wp}comment_approved"), Comment.Status.PENDING
            ),
            author_name=_text(element, f"{wp}comment_author"),
            author_email=_text(element, f"{wp}comment_author_email"),
            author_url=_text(element, f"{wp}comment_author_url"),
            # WordPress keeps a comment as typed (line breaks as newlines, a few tags), as this
            # blog does. Its <wp:comment_author_IP> is not imported: an address serves the
            # flood check on new comments and is forgotten after ADDRESS_RETENTION_DAYS, so an
            # old comment's has no use here, and an address never stored cannot leak.
            body=_text(element, f"{wp}comment_content"),
        )
        if comment.status == Comment.Status.REMOVED:
            comment.make_tombstone()
        export.comments.append(comment)


def _comment_origin(post_origin, element, wp, lines):
    return f"{post_origin}#comment-{_required(element, f'{wp}comment_id', lines)}"


def _labels(item):
    names = []
    for category in item.findall("category"):
        name = (category.text or "").strip()
        # Every post WordPress was given no category is in "Uncategorized": that is no label.
        if category.get("nicename") == "uncategorized" or not name:
            continue
        if category.get("domain") in ("category", "post_tag") and name not in names:
            names.append(name)
    return names


BLOCKS = r"p|div|h[1-6]|ul|ol|li|dl|blockquote|pre|table|figure|hr|address|section"


def _paragraphs(html):
    """The HTML a post's text stands for in WordPress, which stores paragraphs as blank lines
    and line breaks as newlines, and adds the tags only when it shows a post (wpautop)."""
    html = re.sub(r"<!--.*?-->", "", html, flags=re.S)  # the block editor's markers
    # A <pre> keeps its blank lines: set it aside while the rest is cut into paragraphs.
    kept = []
    html = re.sub(
        r"<pre\b.*?</pre>", lambda m: kept.append(m[0]) or f"\0{len(kept) - 1}\0", html, flags=re.S
    )
    paragraphs = []
    for chunk in re.split(r"\n\s*\n", html.strip()):
        chunk = chunk.strip()
        if not chunk:
            continue
        if chunk.startswith("\0") or re.match(rf"<({BLOCKS})\b", chunk, re.I):
            paragraphs.append(chunk)
        else:
            paragraphs.append("<p>" + chunk.replace("\n", "<br>\n") + "</p>")
    return re.sub(r"\0(\d+)\0", lambda m: kept[int(m[1])], "\n".join(paragraphs))


def _date(element, name, lines):
    """The time in `name`_gmt, or else in `name` (the blog's local time, taken as ours)."""
    for field, zone in ((f"{name}_gmt", UTC), (name, timezone.get_current_timezone())):
        found = element.find(field)
        value = "" if found is None else (found.text or "").strip()
        if not value or value == NO_DATE:
            continue
        try:
            return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=zone)
        except ValueError:
            local = field.rpartition("}")[2]
            raise Refused(lines[found], f"<wp:{local}> {value!r} is not a date") from None
    return timezone.now()  # a draft never dated


def _namespace(root):
    for element in root.iter():
        if element.tag.startswith(WORDPRESS):
            return element.tag[: element.tag.index("}") + 1]
    return None


def _text(element, name):
    found = element.find(name)
    return "" if found is None else (found.text or "").strip()


def _required(element, name, lines):
    value = _text(element, name)
    if not value:
        outer = "wp:comment" if element.tag.endswith("}comment") else element.tag
        raise Refused(lines[element], f"<{outer}> has no <wp:{name.rpartition('}')[2]}>")
    return value
