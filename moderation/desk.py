"""The owner's desk: what both lists of comments in the admin (every comment, and the queue of
held and spam ones) share. A comment is decided one at a time, from the buttons on its row or its
page, or in bulk through the actions; the owner may answer it with a reply; nothing is deleted.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseBadRequest, HttpResponseNotAllowed
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from comments.forms import ReplyForm
from comments.models import Comment
from comments.signals import comment_was_posted, comment_will_be_posted

from .models import Blocked, Decision

# The owner answers a comment waiting for approval, or one readers already see.
ANSWERABLE = [Comment.Status.PENDING, Comment.Status.PUBLISHED]

# What one click on a comment's row or page does: (status, button, what the message says).
DECISIONS = {
    "approve": (Comment.Status.PUBLISHED, _("Approve"), _("{comment} approved.")),
    "spam": (Comment.Status.SPAM, _("Spam"), _("{comment} marked as spam.")),
    "remove": (Comment.Status.REMOVED, _("Remove"), _("{comment} removed.")),
}


class DeskAdmin(admin.ModelAdmin):
    """What the owner's two lists of comments share: comments are decided, one at a time or in
    bulk, and never deleted."""

    change_list_template = "admin/moderation/desk_change_list.html"
    change_form_template = "admin/moderation/desk_change_form.html"
    # How many comments each status holds is what the owner looks for first.
    show_facets = admin.ShowFacets.ALWAYS

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        decide = self.admin_site.admin_view(self.decide_view)
        reply = self.admin_site.admin_view(self.reply_view)
        return [
            path("<path:object_id>/decide/", decide, name=f"{prefix}_decide"),
            path("<path:object_id>/reply/", reply, name=f"{prefix}_reply"),
            *super().get_urls(),
        ]

    def decide_url(self, comment, view="decide"):
        """The address of `view` (decide or reply) for `comment`."""
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_{view}", args=[comment.pk]
        )

    def next_url(self, request):
        """Where to go once decided: the `next` the page sent (the list as it was filtered)."""
        back = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
            return back
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")

    @staticmethod
    def choices(comment):
        """The decisions that would change `comment`: [(value, button label)]."""
        return [
            (value, label)
            for value, (status, label, _) in DECISIONS.items()
            if status != comment.status
        ]

    @admin.display(description=_("decide"))
    def decide(self, comment):
        # Buttons of the list's own form, sent elsewhere: forms cannot nest.
        return format_html_join(
            " ",
            '<button type="submit" class="button" formaction="{}" name="decide" value="{}" '
            'aria-label="{} #{}">{}</button>',
            (
                (self.decide_url(comment), value, label, comment.number, label)
                for value, label in self.choices(comment)
            ),
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        comment = (
            Comment.objects.select_related("post", "parent", "assessment")
            .filter(pk=object_id)
            .first()
        )
        if comment is not None:
            extra_context = {
                **(extra_context or {}),
                "comment": comment,
                "assessment": getattr(comment, "assessment", None),
                "decide_url": self.decide_url(comment),
                "decide_choices": self.choices(comment),
                "reply_url": self.decide_url(comment, "reply")
                if comment.status in ANSWERABLE
                else "",
                "reply_form": ReplyForm(),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def reply_view(self, request, object_id):
        """Publish the owner's reply (POST `body`) under a held or published comment, marked as
        the owner's, and approve the comment it answers."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request):
            raise PermissionDenied
        comment = get_object_or_404(
            Comment.objects.select_related("post").filter(status__in=ANSWERABLE), pk=object_id
        )
        form = ReplyForm(request.POST)
        if not form.is_valid():
            self.message_user(
                request,
                gettext("The reply was not published: %(error)s")
                % {"error": form.errors["body"][0]},
                messages.ERROR,
            )
            return redirect(self.next_url(request))
        with transaction.atomic():
            Decision.objects.change(
                Comment.objects.filter(pk=comment.pk),
                Comment.Status.PUBLISHED,
                actor=request.user,
                note="answered by the owner",
            )
            reply = Comment(
                post=comment.post,
                parent=comment,
                body=form.cleaned_data["body"],
                author_email=request.user.email,
            )
            # As if posted on the blog while signed in: moderation marks it the owner's.
            comment_will_be_posted.send(sender=Comment, comment=reply, request=request)
            reply.save()
            comment_was_posted.send(sender=Comment, comment=reply, request=request)
        self.message_user(
            request,
            format_html(
                gettext(
                    '{comment} is published, with your reply <a href="{url}">#{number}</a> '
                    "under it."
                ),
                comment=comment,
                url=reply.get_absolute_url(),
                number=reply.number,
            ),
            messages.SUCCESS,
        )
        return redirect(self.next_url(request))

    def view_on_site(self, comment):
        # A comment readers cannot see yet is shown to the owner as a preview, not a 404.
        if comment.status in (Comment.Status.PUBLISHED, Comment.Status.REMOVED):
            return comment.get_absolute_url()
        return reverse("moderation:preview", args=[comment.pk])

    def decide_view(self, request, object_id):
        """Approve, mark as spam, remove or undo one comment (POST `decide`), then go back to
        `next`, with a message offering to undo it."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request):
            raise PermissionDenied
        comment = get_object_or_404(Comment.objects.select_related("post"), pk=object_id)
        one = Comment.objects.filter(pk=comment.pk)
        choice = request.POST.get("decide")
        back = self.next_url(request)
        if choice == "undo":
            if Decision.objects.undo(one, request.user):
                comment.refresh_from_db()
                self.message_user(
                    request,
                    gettext("%(comment)s is %(status)s again.")
                    % {"comment": comment, "status": comment.get_status_display().lower()},
                )
            else:
                self.message_user(
                    request,
                    gettext("Nothing to undo on %(comment)s.") % {"comment": comment},
                    messages.WARNING,
                )
        elif choice in DECISIONS:
            status, _button, done = DECISIONS[choice]
            with transaction.atomic():
                if status == Comment.Status.REMOVED and comment.status != status:
                    one.update(removal_reason="")
                changed = Decision.objects.change(one, status, actor=request.user)
            if changed:
                self.message_user(
                    request,
                    format_html(
                        '{} <form method="post" action="{}" class="undo">'
                        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
                        '<input type="hidden" name="next" value="{}">'
                        '<button type="submit" name="decide" value="undo">{}</button></form>',
                        format_html(done, comment=comment),
                        self.decide_url(comment),
                        get_token(request),
                        back,
                        gettext("Undo"),
                    ),
                    messages.SUCCESS,
                )
        else:
            return HttpResponseBadRequest("Approve, spam, remove or undo?")
        return redirect(back)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting would bypass the tombstone that keeps the thread's numbering, and the
        # audit trail: Remove does what the owner means by it.
        return False

    def delete_view(self, request, object_id, extra_context=None):
        self.message_user(
            request,
            gettext(
                "Comments are not deleted: Remove leaves a numbered tombstone, so that the "
                "replies keep their place and the decision is kept."
            ),
            messages.WARNING,
        )
        return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", object_id)

    # The bulk actions; each list names the ones it offers in its `actions`.
    @admin.action(description=_("Approve (publish) selected comments"))
    def approve(self, request, queryset):
        changed = Decision.objects.change(queryset, Comment.Status.PUBLISHED, actor=request.user)
        message = ngettext("%(count)d comment approved.", "%(count)d comments approved.", changed)
        self.message_user(request, message % {"count": changed}, messages.SUCCESS)

    @admin.action(description=_("Mark selected comments as spam"))
    def mark_spam(self, request, queryset):
        changed = Decision.objects.change(queryset, Comment.Status.SPAM, actor=request.user)
        message = ngettext(
            "%(count)d comment marked as spam.", "%(count)d comments marked as spam.", changed
        )
        self.message_user(request, message % {"count": changed}, messages.SUCCESS)

    @admin.action(description=_("Remove selected comments (leave a tombstone)"))
    def remove(self, request, queryset):
        """First show what refers to the comments (replies, mentions of their authors) and ask
        for an optional public reason; then remove."""
        if request.POST.get("confirm") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": gettext("Remove these comments?"),
                "opts": self.model._meta,
                "found": [(c, *c.referring()) for c in queryset.select_related("post")],
                "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            }
            return TemplateResponse(request, "admin/moderation/remove.html", context)
        reason = request.POST.get("reason", "").strip()[:200]
        with transaction.atomic():
            changing = queryset.exclude(status=Comment.Status.REMOVED)
            Comment.objects.filter(pk__in=changing.values("pk")).update(removal_reason=reason)
            changed = Decision.objects.change(
                queryset, Comment.Status.REMOVED, actor=request.user, note=reason
            )
        message = ngettext("%(count)d comment removed.", "%(count)d comments removed.", changed)
        self.message_user(request, message % {"count": changed}, messages.SUCCESS)

    @admin.action(description=_("Undo the last decision on selected comments"))
    def undo(self, request, queryset):
        moved = Decision.objects.undo(queryset, request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d comment put back where they were.",
                "%(count)d comments put back where they were.",
                moved,
            )
            % {"count": moved},
            messages.SUCCESS,
        )

    @admin.action(description=_("Block the senders of selected comments and mark them as spam"))
    def block_sender(self, request, queryset):
        added = Blocked.objects.block_senders(queryset)
        changed = Decision.objects.change(
            queryset, Comment.Status.SPAM, actor=request.user, note="sender blocked"
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d blocklist entry added;", "%(count)d blocklist entries added;", added
            )
            % {"count": added}
            + " "
            + ngettext(
                "%(count)d comment marked as spam.", "%(count)d comments marked as spam.", changed
            )
            % {"count": changed},
            messages.SUCCESS,
        )
