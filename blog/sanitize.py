"""The one place that turns untrusted text into HTML; swap bleach here and nowhere else."""

from functools import partial

import bleach
from bleach.linkifier import LinkifyFilter
from django.utils.html import linebreaks
from markdown_it import MarkdownIt

LINK_PROTOCOLS = {"http", "https", "mailto"}

COMMENT_TAGS = {"p", "br", "b", "i", "em", "strong", "blockquote", "code", "a"}
POST_TAGS = COMMENT_TAGS | {
    "h2",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "pre",
    "hr",
    "img",
    "figure",
    "figcaption",
    "cite",
}


def _untrusted_links(attrs, new=False):
    # Links in reader-written text must not pass search rank or look endorsed.
    attrs[(None, "rel")] = "nofollow ugc"
    return attrs


_comment_cleaner = bleach.Cleaner(
    tags=COMMENT_TAGS,
    attributes={"a": ["href", "title"]},
    protocols=LINK_PROTOCOLS,
    strip=False,
    filters=[partial(LinkifyFilter, callbacks=[_untrusted_links], skip_tags={"code"})],
)

_post_cleaner = bleach.Cleaner(
    tags=POST_TAGS,
    attributes={"a": ["href", "title"], "img": ["src", "alt", "title"]},
    protocols=LINK_PROTOCOLS,
    strip=True,
)

_markdown = MarkdownIt("commonmark", {"html": False})


def comment_html(text):
    """Return safe HTML for a reader's comment: newlines kept, a short safelist, bare URLs linked.

    Markup outside the safelist is shown as text, not dropped, so nothing a reader wrote vanishes.
    """
    return _comment_cleaner.clean(linebreaks(text, autoescape=False))


def post_html(markdown):
    """Return safe HTML for a post written in Markdown by the owner."""
    return _post_cleaner.clean(_markdown.render(markdown))
