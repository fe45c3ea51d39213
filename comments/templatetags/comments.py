import html
import json
import re

from django import template
from django.conf import settings
from django.http import Http404
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

from .. import commenter, editing, tree
from ..forms import CommentForm, FollowForm
from ..models import Comment

register = template.Library()

# Where a browser starts a new line: a line break, or the edge of a paragraph-like block.
_LINE_EDGE = re.compile(
    r"<br\s*/?>|</?(?:p|div|blockquote|pre|li|ul|ol|h[1-6]|hr|figure|figcaption)\b[^>]*>", re.I
)


@register.inclusion_tag("comments/thread.html", takes_context=True)
def comment_thread(context, post):
    """Render one page of a post's visible comments as a thread, with the comment form.

    Two queries whatever the thread's length: its shape, then the comments of the page shown.
    `?page=N` picks the page (a missing page is a 404); a form sent back with errors opens on
    the page of the comment it replies to.
    """
    request = context["request"]
    shape = list(post.comments.visible().thread_shape())
    form = context.get("comment_form")
    replying = str(form["parent"].value() or "") if form is not None else None
    page = tree.page(shape, request.GET.get("page", "1"), showing=replying)
    if page is None:
        raise Http404("No such page of comments.")
    full = post.comments.defer("body", "author_email", "ip_address").in_bulk(
        [entry.comment.pk for entry in page.entries]
    )
    for entry in page.entries:
        entry.comment = full[entry.comment.pk]

    if form is not None:
        reply_to = page.comment(replying)
    else:
        reply_to = page.reply_target(request.GET.get("replyto", ""))
        form = CommentForm(
            post,
            initial={"parent": reply_to.pk if reply_to else None} | commenter.initial(request),
        )
    mine = editing.sent_here(request)
    count = sum(row.status == Comment.Status.PUBLISHED for row in shape)
    return {
        "post": post,
        "open": post.comments_are_open(),
        "entries": page.entries,
        "count": count,
        "structured_data": _structured_data(request, post, page.entries, count),
        "page_number": page.number,
        "page_range": range(1, page.count + 1) if page.count > 1 else (),
        "form": form,
        "preview": context.get("preview"),
        "follow_form": FollowForm(),
        "reply_to": reply_to,
        "csrf_token": context.get("csrf_token"),
        "request": request,
        "editable": {
            e.comment.pk
            for e in page.entries
            if e.comment.pk in mine and editing.still_editable(e.comment)
        },
    }


def _structured_data(request, post, entries, count):
    """The post as schema.org's BlogPosting, with the published comments of the page shown, as
    JSON-LD to write inside a <script type="application/ld+json">."""
    url = request.build_absolute_uri(post.get_absolute_url())
    published = post.published.isoformat(timespec="seconds")
    data = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "@id": url,
        "url": url,
        "mainEntityOfPage": url,
        "headline": post.title,
        "author": {"@type": "Person", "name": settings.BLOG_AUTHOR},
        "publisher": {"@type": "Organization", "name": settings.BLOG_TITLE},
        **({"image": request.build_absolute_uri(post.image)} if post.image else {}),
        "datePublished": published,
        # A post keeps no time of its last edit: its publication is the last change readers saw.
        "dateModified": published,
        "interactionStatistic": {
            "@type": "InteractionCounter",
            "interactionType": "https://schema.org/CommentAction",
            "userInteractionCount": count,
        },
        "commentCount": count,
        "comment": [
            {
                "@type": "Comment",
                "url": request.build_absolute_uri(comment.get_absolute_url()),
                "author": {"@type": "Person", "name": comment.author},
                "dateCreated": comment.created.isoformat(timespec="seconds"),
                "text": as_text(comment.body_html),
            }
            for comment in (entry.comment for entry in entries)
            if comment.status == Comment.Status.PUBLISHED
        ],
    }
    # As json_script escapes: no "</script>" or "<!--" in a comment's text can end the element.
    text = json.dumps(data, ensure_ascii=False)
    return mark_safe(
        text.translate({ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"})
    )


@register.simple_tag
def comment_counts(posts):
    """{post pk: its number of published comments} for a list of posts, in one query."""
    return Comment.objects.published().count_per_post(posts)


@register.filter
def as_text(markup):
    """The text a reader reads in our sanitized `markup`, as plain text: lines that a browser
    shows apart are kept apart by a space, so that their words never run together."""
    return html.unescape(strip_tags(_LINE_EDGE.sub(" ", markup))).strip()


@register.filter
def count_for(counts, post):
    return counts.get(post.pk, 0)
