"""Moving in from another blog: what an export holds, and how it is written here.

A parser (moving/blogger.py, moving/wxr.py) reads a whole file into an Export of plain
entries, refusing a file it cannot read with Refused, before anything is written. load() then
writes the Export in one transaction. Every entry carries its `origin`, its id in the other
blog, and an entry whose origin is already here is left alone: importing a file twice, or two
exports that overlap, changes nothing the second time.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import TreeBuilder
from xml.parsers.expat import ErrorString

from defusedxml import DefusedXmlException, EntitiesForbidden
from defusedxml.ElementTree import DefusedXMLParser, ParseError
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.template.defaultfilters import pluralize
from django.utils.text import slugify
from markdownify import markdownify

from blog.models import Label, Post, PreviousAddress, free_slug
from comments.models import Comment


class Refused(Exception):
    """The file cannot be imported, and nothing of it is: `line` says where, `reason` why.

    `line` is None when the fault is in the file as a whole (an archive's); `within` names the
    file inside an archive that `line` counts in.
    """

    def __init__(self, line, reason, within=""):
        super().__init__(f"{line}: {reason}")
        self.line = line
        self.reason = reason
        self.within = within

    def where(self, file):
        """Where the fault is, for the owner: `blog.zip, Takeout/.../feed.atom:12`."""
        where = f"{file}, {self.within}" if self.within else str(file)
        return where if self.line is None else f"{where}:{self.line}"


@dataclass
class PostEntry:
    origin: str  # its id in the other blog
    title: str
    slug: str
    body: str  # Markdown, as the owner writes posts here
    published: datetime
    status: str = Post.Status.PUBLISHED
    labels: list = field(default_factory=list)  # names
    old_url: str = ""  # its permalink on the other blog
    commenting: str = Post.Commenting.CLOSING  # the default of a post written here


@dataclass
class CommentEntry:
    origin: str
    post: str  # the origin of its post
    parent: str  # the origin of the comment it answers; empty at the top level
    created: datetime
    status: str
    author_name: str = ""
    author_email: str = ""
    author_url: str = ""
    body: str = ""  # what the commenter typed: plain text and the few tags comments allow

    def make_tombstone(self):
        """A removed comment keeps its place in the thread, and nothing of what it said."""
        self.status = Comment.Status.REMOVED
        self.body = self.author_name = self.author_email = self.author_url = ""


@dataclass
class Export:
    """What a parser read from a file, and what it passed over (with why)."""

    posts: list = field(default_factory=list)
    comments: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # (what, reason)
    # Entries the parser could not tell the kind of, so could not place: (what, reason).
    not_understood: list = field(default_factory=list)
    notes: list = field(default_factory=list)


@dataclass
class Report:
    """What an import did, for the owner to read."""

    posts: int = 0
    comments: int = 0
    already_here: int = 0
    skipped: dict = field(default_factory=lambda: defaultdict(list))  # reason: [what, ...]
    not_understood: dict = field(default_factory=lambda: defaultdict(list))
    notes: list = field(default_factory=list)
    offered: int = 0  # the file's posts and comments, and the entries not understood

    def skip(self, what, reason):
        self.skipped[reason].append(what)

    @property
    def failed(self):
        """Nothing was imported, nor already here, from a file that had posts or comments, or
        entries that may have been ones: an import that did nothing is no success."""
        return self.offered > 0 and self.posts + self.comments + self.already_here == 0

    def lines(self):
        posts = f"{self.posts} post{pluralize(self.posts)}"
        comments = f"{self.comments} comment{pluralize(self.comments)}"
        lines = [f"{posts}, {comments} imported; {self.already_here} already here."]
        for title, kept in (("Not understood", self.not_understood), ("Skipped", self.skipped)):
            if kept:
                lines.append(f"{title} {sum(len(w) for w in kept.values())}:")
                lines.extend(_listed(reason, whats) for reason, whats in kept.items())
        if self.notes:
            lines.append("Notes:")
            lines.extend(f"  {note}" for note in self.notes)
        return lines


def _listed(reason, whats):
    shown = ", ".join(whats[:5]) + (f" and {len(whats) - 5} more" if whats[5:] else "")
    return f"  {len(whats)} × {reason}: {shown}"


def parse_xml(data):
    """Parse an export file's bytes; return its root element and the line each element starts on.

    Refuses, with the line, a file that is not well-formed XML or that declares entities: no
    export declares any, and a file that does is an XML bomb (billion laughs) or reaches for
    other files or URLs (external entities). defusedxml stops those before they expand.
    """
    builder = _LineNumbers()
    parser = DefusedXMLParser(target=builder)
    builder.parser = parser
    try:
        parser.feed(data)
        return parser.close(), builder.lines
    except ParseError as error:
        line, column = error.position
        reason = f"not well-formed XML: {ErrorString(error.code)} (column {column + 1})"
        raise Refused(line, reason) from None
    except EntitiesForbidden as error:
        raise Refused(
            parser.parser.CurrentLineNumber,
            f"refused: it declares the entity {error.name!r}; exports declare none, and such "
            "a file is an XML bomb or reaches for other files",
        ) from None
    except DefusedXmlException as error:
        raise Refused(parser.parser.CurrentLineNumber, f"refused: {error}") from None


class _LineNumbers(TreeBuilder):
    def __init__(self):
        super().__init__()
        self.lines = {}
        self.parser = None

    def start(self, tag, attrs):
        element = super().start(tag, attrs)
        self.lines[element] = self.parser.parser.CurrentLineNumber
        return element


def markdown_from_html(html):
    """The Markdown for a post written in HTML elsewhere: it renders here as it showed there.

    Posts here are Markdown, and raw HTML in Markdown is shown as text (README, "Writing"), so
    an imported post's HTML is turned into Markdown rather than kept: the owner can then edit it
    like any other post. Characters Markdown would read as markup are escaped.
    """
    return markdownify(html, heading_style="ATX", bullets="-", escape_misc=True).strip()


def slug_for(text, fallback):
    """A slug from `text` (a title, a permalink's last part), or `fallback` if it has none."""
    return slugify(unquote(text))[:200].strip("-") or fallback


def load(export):
    """Write `export`'s posts and comments, in one transaction; return a Report.

    Quiet by construction: imported comments are created with notify off and reply_announced
    set, so the reply emails (comments.notify, run from Comment's post_save) find nothing to
    send; and the moderation app scores only what the comment form posts (the
    comment_will_be_posted and comment_was_posted signals, which an import never sends), so
    imported comments keep the status they had, spam, pending or removed.
    """
    report = Report(offered=len(export.posts) + len(export.comments) + len(export.not_understood))
    for what, reason in export.skipped:
        report.skip(what, reason)
    for what, reason in export.not_understood:
        report.not_understood[reason].append(what)
    report.notes.extend(export.notes)
    with transaction.atomic():
        posts = _load_posts(export.posts, report)
        _load_comments(export.comments, posts, report)
    return report


def _load_posts(entries, report):
    """Create the posts not yet here; return {origin: Post} for every post now here."""
    origins = [entry.origin for entry in entries]
    posts = {post.origin: post for post in Post.objects.filter(origin__in=origins)}
    for entry in entries:
        if entry.origin in posts:
            report.already_here += 1
            continue
        slug = free_slug(Post, entry.slug)
        post = Post.objects.create(
            origin=entry.origin,
            title=entry.title[:200],
            slug=slug,
            body=entry.body,
            published=entry.published,
            status=entry.status,
            commenting=entry.commenting,
        )
        post.labels.set([Label.objects.named(name) for name in entry.labels])
        if slug != entry.slug:
            report.notes.append(
                f"“{entry.title}”: the slug {entry.slug} is taken here; it is {slug} instead"
            )
        _keep_old_address(post, entry.old_url, report)
        posts[entry.origin] = post
        report.posts += 1
    return posts


def _load_comments(entries, posts, report):
    """Create the comments not yet here, oldest first, each under the comment it answers.

    Threads deeper than COMMENTS_MAX_DEPTH are kept as they were, as the comment form keeps
    them: the page shows replies past that depth at the deepest level, saying which comment
    they answer (comments.tree).
    """
    # The comments already here that the file names, as themselves or as what a reply answers.
    named = ({entry.origin for entry in entries} | {entry.parent for entry in entries}) - {""}
    here = {comment.origin: comment for comment in Comment.objects.filter(origin__in=named)}
    in_file = {entry.origin for entry in entries}
    late = []  # (comment, parent origin): replies dated before what they answer
    # Oldest first, so that each post's comments are numbered in the order they were written.
    for entry in sorted(entries, key=lambda entry: entry.created):
        if entry.origin in here:
            report.already_here += 1
            continue
        post = posts.get(entry.post)
        if post is None:
            report.skip(entry.origin, "comments whose post is not in the file")
            continue
        comment = Comment(
            post=post,
            author_name=entry.author_name[:100],
            author_email=_email(entry, report),
            author_url=_website(entry, report),
            body=entry.body,
            status=entry.status,
            created=entry.created,
            origin=entry.origin,
            notify=False,
            reply_announced=True,
        )
        parent = here.get(entry.parent)
        if parent is not None and parent.post_id == post.pk:
            comment.parent = parent
        elif entry.parent and parent is None and entry.parent in in_file:
            late.append((comment, entry.parent))
        elif entry.parent:
            report.notes.append(_at_the_top(entry.origin, entry.parent))
        comment.save()
        here[entry.origin] = comment
        report.comments += 1
    for comment, origin in late:
        parent = here.get(origin)
        if parent is not None and parent.post_id == comment.post_id:
            Comment.objects.filter(pk=comment.pk).update(parent=parent)
        else:
            report.notes.append(_at_the_top(comment.origin, origin))


_website_validator = URLValidator(schemes=["http", "https"])


def _website(entry, report):
    """The commenter's website, if it is an http(s) address that fits; else "", with a note.

    Exports keep whatever the old blog stored, `javascript:` and `data:` addresses included,
    and the author's name links to it on every page.
    """
    url = entry.author_url.strip()
    if not url:
        return ""
    try:
        if len(url) > 200:
            raise ValidationError("too long")
        _website_validator(url)
    except ValidationError:
        report.notes.append(
            f"{entry.origin}: website {url[:80]!r} is not an http(s) address; dropped"
        )
        return ""
    return url


def _email(entry, report):
    """The commenter's email, if it is one address; else "", with a note. A line break in it
    would let reply mail carry headers of the commenter's choosing."""
    address = entry.author_email.strip()
    if not address:
        return ""
    try:
        if len(address) > 254:
            raise ValidationError("too long")
        validate_email(address)
    except ValidationError:
        report.notes.append(f"{entry.origin}: email {address[:80]!r} is not an address; dropped")
        return ""
    return address


def _at_the_top(origin, parent):
    return f"{origin} answers {parent}, which is not imported: it stands at the top level"


def _keep_old_address(post, old_url, report):
    """Answer the post's old permalink with a redirect here, where it differs from ours.

    Blogger's `/2009/11/slug.html` needs nothing when ours is `/2009/11/slug/`: the blog
    redirects that form by itself (blog.views.blogger_permalink).
    """
    if not old_url:
        return
    path = unquote(urlsplit(old_url).path)
    ours = post.get_absolute_url()
    if path in ("", "/") or len(path) > 500 or path in (ours, ours.rstrip("/") + ".html"):
        # "/?p=5" names a post by its query string, which an address here cannot answer.
        return
    address, created = PreviousAddress.objects.get_or_create(path=path, defaults={"post": post})
    if not created and address.post_id != post.pk:
        report.notes.append(f"“{post.title}”: its old address {path} already leads elsewhere")
