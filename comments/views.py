from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from blog.models import Post

from . import commenter, editing, notify, throttle
from .crossorigin import cross_origin_protection
from .forms import CommentForm, EditForm, FollowForm
from .models import Comment, Subscriber, ThreadMail
from .search import MAX_QUERY, search
from .signals import comment_was_edited, comment_was_posted, comment_will_be_posted


# An anonymous reader's page is one page for everyone, with no token in it (README, "Forms and
# forged requests"): the browser's Fetch Metadata stands in for the token.
@csrf_exempt
@cross_origin_protection
@require_http_methods(["GET", "POST"])
def post_comment(request, post_id):
    post = get_object_or_404(Post.objects.published(), pk=post_id)
    if request.method == "GET":
        # The address a form with errors came back at, visited again: the post has the form.
        return redirect(post)
    if not post.comments_are_open():
        return render(request, "comments/closed.html", {"post": post}, status=403)
    form = CommentForm(post, request.POST)
    if "preview" in request.POST:
        # Nothing is stored or sent, so a preview is not counted against the limit: it costs a
        # page rendered afresh, as any query string on the post's address does.
        context = {"post": post, "comment_form": form}
        if not form.is_valid():
            return render(request, "blog/post_detail.html", context, status=400)
        context["preview"] = form.save(commit=False)
        context["preview"].render()  # as it will be stored: sanitized, links and all
        return render(request, "blog/post_detail.html", context)
    address = throttle.client_address(request)
    wait = throttle.seconds_to_wait(address)
    if wait:
        return _too_many(request, wait)
    if not form.is_valid():
        return render(
            request, "blog/post_detail.html", {"post": post, "comment_form": form}, status=400
        )

    comment = form.save(commit=False)
    comment.ip_address = address or None
    # Judged before the post's lock is taken: the spam check only reads, and every comment on
    # this post waits for the lock, so it is held only for what needs it.
    comment_will_be_posted.send(sender=Comment, comment=comment, request=request)
    with transaction.atomic():
        # Numbering takes the post's lock, held to the end: a double click's two requests take
        # turns, so the second finds the first here. (save() numbers only unnumbered comments.)
        comment.number = comment.next_number()
        earlier = Comment.objects.earlier_copy(comment)
        if earlier is None:
            comment.save()
            comment_was_posted.send(sender=Comment, comment=comment, request=request)
            if comment.status != Comment.Status.SPAM:
                notify.ask_to_confirm(comment)

    if earlier is not None:
        # Back and Submit again, or a double click: the comment is already there.
        messages.info(request, _("You already sent this comment, so it was not posted again."))
        visible = earlier.status == Comment.Status.PUBLISHED
        return redirect(earlier.located_url() if visible else post.get_absolute_url())

    if comment.status == Comment.Status.PUBLISHED:
        messages.success(
            request, _("Your comment is published as #%(number)s.") % {"number": comment.number}
        )
        response = redirect(comment.located_url())
    else:
        # Held and spam read the same to the sender: a spammer learns nothing from the answer.
        messages.info(
            request,
            _("Thank you. Your comment is awaiting moderation and will appear once approved."),
        )
        response = redirect(post)
    if form.cleaned_data["remember"]:
        commenter.remember(response, comment)
    else:
        commenter.forget(response)
    editing.allow(request, response, comment)
    return response


def _too_many(request, wait):
    response = render(request, "429.html", {"wait": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response


# Token-free like the comment form beside it, on the same page for every anonymous reader.
@csrf_exempt
@cross_origin_protection
@require_http_methods(["GET", "POST"])
def follow(request, post_id):
    """Email an address each new comment on a post, once the address is confirmed."""
    post = get_object_or_404(Post.objects.published(), pk=post_id)
    if request.method == "GET":
        return redirect(post)
    if not post.comments_are_open():
        return render(request, "comments/closed.html", {"post": post}, status=403)
    # The comment limit, shared with posting: each request may cost an address one email.
    wait = throttle.seconds_to_wait(throttle.client_address(request))
    if wait:
        return _too_many(request, wait)
    form = FollowForm(request.POST)
    if not form.is_valid():
        return render(request, "comments/follow.html", {"post": post, "form": form}, status=400)
    notify.follow(post, form.cleaned_data["email"])
    # The same words whatever the address's state, and without it: nobody learns from this
    # page whether an address is known here, or confirmed.
    messages.success(
        request,
        _(
            "Thank you. New comments on this post will be emailed to that address once it is "
            "confirmed. If it never was, look there for our email with the link to confirm it."
        ),
    )
    return redirect(post)


@require_http_methods(["GET", "POST"])
def edit(request, pk):
    """Let a commenter change their comment's text, from the browser that sent it, for a while."""
    # Only comments on posts readers can see: the refusal below links to the post, which
    # would give away the address of a draft, and even a 403 would say the comment exists.
    comment = get_object_or_404(
        Comment.objects.filter(post__in=Post.objects.published()).select_related("post"), pk=pk
    )
    if not editing.may_edit(request, comment):
        return render(request, "comments/edit_closed.html", {"comment": comment}, status=403)
    # Not bound to the comment: the form would change its text before edit() keeps the old one.
    form = EditForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        body = form.cleaned_data["body"]
        if body != comment.body:
            with transaction.atomic():
                before = comment.body
                comment.edit(body)
                comment_was_edited.send(
                    sender=Comment, comment=comment, request=request, before=before
                )
        if comment.status == Comment.Status.PUBLISHED:
            messages.success(request, _("Your comment is changed."))
            return redirect(comment.located_url())
        messages.info(request, _("Your comment is changed, and awaits moderation."))
        return redirect(comment.post)
    status = 400 if request.method == "POST" else 200
    return render(request, "comments/edit.html", {"comment": comment, "form": form}, status=status)


def permalink(request, pk):
    """Send a reader to the page of the thread where a comment stands."""
    comment = get_object_or_404(Comment.objects.visible().select_related("post"), pk=pk)
    return redirect(comment.located_url())


def reply(request, post_id, number):
    """Open the reply form under a comment, on whichever page of the thread it stands."""
    comment = get_object_or_404(
        Comment.objects.published().select_related("post"),
        post_id=post_id,
        number=number,
    )
    return redirect(comment.located_url(reply=True))


def search_page(request):
    """Posts and published comments matching ?q=, on one page."""
    query = request.GET.get("q", "")
    posts, comments = search(query)
    return render(
        request,
        "comments/search.html",
        {"query": query.strip()[:MAX_QUERY], "posts": posts, "comments": comments},
    )


@csrf_exempt  # mail clients' one-click unsubscribe (RFC 8058) POSTs with no token; signed link
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """Stop the emails about replies to one comment: the link shows a button, the button (or a
    mail client's one-click POST) stops them; no login."""
    comment = (
        Comment.objects.filter(pk=notify.comment_pk_from(token)).select_related("post").first()
    )
    if comment is None:
        return render(request, "comments/unsubscribe.html", {"comment": None}, status=400)
    if request.method == "POST":
        Comment.objects.filter(pk=comment.pk).update(notify=False)
    context = {"comment": comment, "done": request.method == "POST"}
    return render(request, "comments/unsubscribe.html", context)


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """Confirm an address for reply emails: the link shows a button, the button confirms
    (mail scanners open links, and must not confirm on their own)."""
    email = notify.confirmed_email(token)
    subscriber = Subscriber.objects.filter(email=email).first() if email else None
    if subscriber is None:
        return render(request, "comments/confirm.html", {"subscriber": None}, status=400)
    if request.method == "POST" and subscriber.confirmed is None:
        subscriber.confirmed = timezone.now()
        subscriber.muted = False
        subscriber.save(update_fields=["confirmed", "muted"])
    context = {"subscriber": subscriber, "following": notify.following(subscriber)}
    return render(request, "comments/confirm.html", context)


@csrf_exempt  # mail clients' one-click unsubscribe (RFC 8058) POSTs with no token; signed link
@require_http_methods(["GET", "POST"])
def mute(request, token):
    """Mute the emails about one post's comments, or all of them: a button, or one POST."""
    found = notify.muted_by(token)
    subscriber = Subscriber.objects.filter(pk=found[0]).first() if found else None
    if subscriber is None:
        return render(request, "comments/mute.html", {"subscriber": None}, status=400)
    post = Post.objects.filter(pk=found[1]).first() if found[1] else None
    if request.method == "POST":
        if post is None:
            Subscriber.objects.filter(pk=subscriber.pk).update(muted=True)
        else:
            ThreadMail.objects.update_or_create(
                subscriber=subscriber, post=post, defaults={"muted": True}
            )
    context = {"subscriber": subscriber, "post": post, "done": request.method == "POST"}
    return render(request, "comments/mute.html", context)
