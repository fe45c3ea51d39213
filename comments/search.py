"""Search over published posts and their published comments."""

import re

from django.db import connection
from django.db.models import Q

from blog.models import Post

from .models import Comment

MAX_QUERY = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # PostgreSQL refuses NUL in text; none are words


def search(query, limit=20):
    """Return (posts, comments) matching `query`, at most `limit` of each, best first.

    PostgreSQL ranks full-text matches (English stemming, web-search syntax); other databases
    match the words as plain text, newest first. Only what readers can see is ever found.
    """
    query = _CONTROL.sub(" ", query).strip()[:MAX_QUERY]
    posts = Post.objects.published()
    comments = Comment.objects.published().select_related("post")
    if not query:
        return [], []
    if connection.vendor == "postgresql":
        return _ranked(posts, comments, query, limit)
    words = query.split()
    for word in words:
        posts = posts.filter(Q(title__icontains=word) | Q(body__icontains=word))
        comments = comments.filter(body__icontains=word)
    return list(posts[:limit]), list(comments.order_by("-created")[:limit])


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
