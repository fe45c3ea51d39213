from django import template
from django.db.models import Count
from django.http import Http404

from .. import commenter, editing, tree
from ..forms import CommentForm
from ..models import Comment

register = template.Library()


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
    return {
        "post": post,
        "open": post.comments_are_open(),
        "entries": page.entries,
        "count": sum(row.status == Comment.Status.PUBLISHED for row in shape),
        "page_number": page.number,
        "page_range": range(1, page.count + 1) if page.count > 1 else (),
        "form": form,
        "reply_to": reply_to,
        "csrf_token": context.get("csrf_token"),
        "request": request,
        "editable": {
            e.comment.pk
            for e in page.entries
            if e.comment.pk in mine and editing.still_editable(e.comment)
        },
    }


@register.simple_tag
def comment_counts(posts):
    """{post pk: its number of published comments} for a list of posts, in one query."""
    rows = (
        Comment.objects.published()
        .filter(post__in=posts)
        .values("post")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {row["post"]: row["count"] for row in rows}


@register.filter
def count_for(counts, post):
    return counts.get(post.pk, 0)
