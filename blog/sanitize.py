"""The one place that turns untrusted text into HTML; swap nh3 here and nowhere else.

A comment is escaped whole first, so that whatever a reader typed is shown as the text it was;
only then are the safelisted tags let back through, rebuilt from scratch with no attribute but a
checked href and a title, and nh3 (ammonia) checks the result: it balances the tags, drops any
href whose scheme is not on the list and adds rel="nofollow ugc". nh3 alone would drop a
`<script>` with everything inside it, and the reader's words with it.
"""

import html
import re

import nh3
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

# A tag as it reads once escaped: &lt;b&gt;, &lt;/i&gt;, &lt;a href=&quot;…&quot;&gt;. The
# attributes may hold no escaped < or >, so one tag never swallows the text after it.
_ESCAPED_TAG = re.compile(
    r"&lt;(?P<end>/?)(?P<name>[a-zA-Z][a-zA-Z0-9]*)(?P<attrs>(?:\s(?:(?!&[lg]t;).)*?)?)/?&gt;",
    re.DOTALL,
)
# A name starts only after a space, a quote or a slash: tried at every letter of a long word,
# it would take seconds to find nothing.
_ATTRIBUTE = re.compile(r"""(?<![^\s"'/])([^\s"'<>/=]+)\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+)""")
# What a browser ignores around and inside a URL's scheme (tabs, newlines, controls, spaces).
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")
_SAFE_HREF = re.compile(r"(https?://|mailto:)", re.IGNORECASE)

# A bare address in escaped text: http(s):// or www., up to a space or an escaped character
# other than &amp; (an escaped quote or < ends it, as it would end it in the reader's eyes).
# Bare domains without www. are not linked: "setup.py" or "node.js" are not addresses.
_BARE_URL = re.compile(r"(?:https?://|www\.)(?:[^\s&]|&amp;)+", re.IGNORECASE)
# Punctuation that ends a sentence rather than the address: "see https://x.example/."
_TRAILING = ".,;:!?*"

_comment_cleaner = nh3.Cleaner(
    tags=COMMENT_TAGS,
    attributes={"a": {"href", "title"}},
    url_schemes=LINK_PROTOCOLS,
    # Links in reader-written text must not pass search rank or look endorsed.
    link_rel="nofollow ugc",
)
_post_cleaner = nh3.Cleaner(
    tags=POST_TAGS,
    attributes={"a": {"href", "title"}, "img": {"src", "alt", "title"}},
    url_schemes=LINK_PROTOCOLS,
    link_rel=None,  # the owner's own links are endorsed
)

_markdown = MarkdownIt("commonmark", {"html": False})


def comment_html(text):
    """Return safe HTML for a reader's comment: newlines kept, a short safelist, bare URLs linked.

    Markup outside the safelist is shown as text, not dropped, so nothing a reader wrote vanishes.
    """
    escaped = html.escape(text)
    pieces, position, quiet = [], 0, 0  # quiet: inside <a> or <code>, where nothing is linked
    for match in _ESCAPED_TAG.finditer(escaped):
        tag = _safelisted_tag(match)
        if tag is None:
            continue  # stays escaped: shown as text
        between = escaped[position : match.start()]
        pieces.append(between if quiet else _linkify(between))
        pieces.append(tag)
        position = match.end()
        if match["name"].lower() in ("a", "code"):
            quiet = max(0, quiet - 1) if match["end"] else quiet + 1
    rest = escaped[position:]
    pieces.append(rest if quiet else _linkify(rest))
    return _comment_cleaner.clean(linebreaks("".join(pieces), autoescape=False))


def _safelisted_tag(match):
    """The tag `match` names, rebuilt with only what is safe in it, or None if not safelisted."""
    name = match["name"].lower()
    if name not in COMMENT_TAGS:
        return None
    if match["end"]:
        return f"</{name}>"
    if name != "a":
        return f"<{name}>"
    kept = {}
    # Unescaped once: the attributes as the reader typed them; then as a browser decodes them.
    for attribute, quoted in _ATTRIBUTE.findall(html.unescape(match["attrs"])):
        value = html.unescape(quoted.strip("\"'") if quoted[0] in "\"'" else quoted)
        attribute = attribute.lower()
        if attribute == "href":
            value = value.strip()
            # Checked here as a browser reads it, and again by nh3: a second lock on the door.
            if not _SAFE_HREF.match(_URL_NOISE.sub("", value)):
                continue
        elif attribute != "title":
            continue
        # The first of two same-named attributes is the one a browser keeps.
        kept.setdefault(attribute, html.escape(value).replace("\n", "&#10;"))
    return "<a" + "".join(f' {name}="{value}"' for name, value in kept.items()) + ">"


def _linkify(escaped):
    """Turn the bare addresses in escaped text into links."""
    return _BARE_URL.sub(_link, escaped)


def _link(match):
    url = match[0]
    # Walk back over what ends the sentence rather than the address ("see https://x.example/."),
    # one character at a time: a regular expression anchored at the end would try every start
    # and take seconds over a 10,000-character run of dots.
    end, opened, closed = len(url), url.count("("), url.count(")")
    while True:
        if url.endswith("&amp;", 0, end):
            end -= len("&amp;")
        elif url[end - 1] in _TRAILING:
            end -= 1
        # A closing parenthesis belongs to the address only if it opened one: "(see https://x/)".
        elif url[end - 1] == ")" and opened < closed:
            end, closed = end - 1, closed - 1
        else:
            break
    url, tail = url[:end], url[end:]
    href = url if "://" in url else f"http://{url}"
    return f'<a href="{href}">{url}</a>{tail}'


def post_html(markdown):
    """Return safe HTML for a post written in Markdown by the owner."""
    return _post_cleaner.clean(_markdown.render(markdown))
