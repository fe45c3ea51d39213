from django.contrib.admin.views.decorators import staff_member_required
from django.core import signing
from django.db import transaction
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from comments.models import Comment

from . import notify
from .models import Decision


@require_http_methods(["GET", "POST"])
def decide(request, token):
    """Approve or mark as spam from the owner's email: the link shows, the button decides."""
    done = request.method == "POST"
    try:
        # One transaction, the comment locked from the check that the link is unused to the
        # decision: of two links pressed at once, one decides and the other finds it decided.
        with transaction.atomic():
            comment, action = notify.read(token, lock=done)
            if done:
                Decision.objects.change(
                    Comment.objects.filter(pk=comment.pk),
                    notify.ACTIONS[action],
                    actor=notify.owner(),
                    note="from the owner's email",
                )
                comment.refresh_from_db()
    except signing.SignatureExpired:
        return render(request, "moderation/link_dead.html", {"why": "expired"}, status=410)
    except signing.BadSignature:
        return render(request, "moderation/link_dead.html", {"why": "invalid"}, status=400)
    except notify.AlreadyDecided as used:
        context = {"why": "used", "comment": used.comment}
        return render(request, "moderation/link_dead.html", context, status=410)
    return render(
        request, "moderation/decide.html", {"comment": comment, "action": action, "done": done}
    )


@staff_member_required
def preview(request, pk):
    """Show the owner a comment readers cannot see (held or spam) as it would stand on its post."""
    comment = get_object_or_404(Comment.objects.select_related("post"), pk=pk)
    return render(request, "moderation/preview.html", {"comment": comment})
