from django import template
from django.conf import settings

from ..forms import CommentForm
from ..tree import thread

register = template.Library()


@register.inclusion_tag("comments/thread.html", takes_context=True)
def comment_thread(context, post):
    """Render a post's visible comments as a thread, with the comment form (one query)."""
    comments = (
        post.comments.visible().defer("body", "author_email", "ip_address").order_by("number")
    )
    entries = thread(comments, settings.COMMENTS_MAX_DEPTH)
    form = context.get("comment_form")
    if form is not None:
        target = form["parent"].value()
        reply_to = next((e.comment for e in entries if str(e.comment.pk) == str(target)), None)
    else:
        wanted = context["request"].GET.get("replyto", "")
        reply_to = next(
            (
                e.comment
                for e in entries
                if str(e.comment.number) == wanted and not e.comment.is_removed
            ),
            None,
        )
        form = CommentForm(post, initial={"parent": reply_to.pk if reply_to else None})
    return {
        "post": post,
        "entries": entries,
        "count": sum(not e.comment.is_removed for e in entries),
        "form": form,
        "reply_to": reply_to,
        "csrf_token": context.get("csrf_token"),
        "request": context["request"],
    }
