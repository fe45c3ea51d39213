"""Search over published posts and their published comments.

Both databases read one query language: words, all of which must match; "quoted phrases",
whose words must come in that order; and -word or -"phrase", which must not match.
PostgreSQL ranks full-text matches (English stemming, its web-search syntax); SQLite matches
each term where a word of the text starts with it, newest first.
"""

import re

from django.db import connection
from django.db.models import Q

from blog.models import Post

from .models import Comment

MAX_QUERY = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # PostgreSQL refuses NUL in text; none are words
# A term: an optional minus, then a quoted phrase (its closing quote may be missing) or a word.
_TERM = re.compile(r'(-?)(?:"([^"]*)"?|([^\s"]+))')
_WORD = re.compile(r"\w+")


def search(query, limit=20):
    """Return (posts, comments) matching `query`, at most `limit` of each, best first.

    Only what readers can see is ever found; no query, however written, is an error.
    """
    query = _CONTROL.sub(" ", query).strip()[:MAX_QUERY]
    posts = Post.objects.published()
    comments = Comment.objects.published().select_related("post")
    if not query:
        return [], []
    if connection.vendor == "postgresql":
        return _ranked(posts, comments, query, limit)
    terms = parse(query)
    if not terms:
        return [], []
    for excluded, pattern in terms:
        in_post = Q(title__iregex=pattern) | Q(body__iregex=pattern)
        in_comment = Q(body__iregex=pattern)
        if excluded:
            posts, comments = posts.exclude(in_post), comments.exclude(in_comment)
        else:
            posts, comments = posts.filter(in_post), comments.filter(in_comment)
    return list(posts.order_by("-published")[:limit]), list(comments.order_by("-created")[:limit])


def parse(query):
    """The terms of `query` as (excluded, regular expression) pairs, in the order written.

    A term's words match where words of the text start with them, one after the other with
    anything but letters and digits between (a space, a line break, a hyphen, markup): "B cells"
    finds "B-cells" and "B\\ncells". Whatever else the query holds is punctuation, not syntax.
    """
    terms = []
    for match in _TERM.finditer(query):
        words = _WORD.findall(match[2] if match[2] is not None else match[3])
        if words:
            pattern = r"\b" + r"\W+".join(re.escape(word) for word in words)
            terms.append((bool(match[1]), pattern))
    return terms


def _ranked(posts, comments, query, limit):
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

    terms = SearchQuery(query, search_type="websearch", config="english")
    post_text = SearchVector("title", weight="A", config="english") + SearchVector(
        "body", weight="B", config="english"
    )
    comment_text = SearchVector("body", config="english")
    posts = (
        posts.annotate(text=post_text, rank=SearchRank(post_text, terms))
        .filter(text=terms)
        .order_by("-rank", "-published")
    )
    comments = (
        comments.annotate(text=comment_text, rank=SearchRank(comment_text, terms))
        .filter(text=terms)
        .order_by("-rank", "-created")
    )
    return list(posts[:limit]), list(comments[:limit])
