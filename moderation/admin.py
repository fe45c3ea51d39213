from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import HttpResponseBadRequest, HttpResponseNotAllowed, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import lazy
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator

from comments.forms import ReplyForm
from comments.models import Comment, Revision
from comments.signals import comment_was_posted, comment_will_be_posted

from . import privacy, shadow
from .models import Blocked, Decision, QueuedComment, QueueQuerySet

# The admin is the owner's desk for this blog: named after it, in the header and in page titles.
admin.site.site_header = admin.site.site_title = lazy(
    lambda: f"{settings.BLOG_TITLE} — moderation", str
)()


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record to read and never to rewrite: an audit trail."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DecisionInline(admin.TabularInline):
    model = Decision
    fields = ["created", "actor", "from_status", "to_status", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class RevisionInline(admin.TabularInline):
    """What an edited comment said before each edit, oldest first."""

    model = Revision
    fields = ["created", "body"]
    readonly_fields = fields
    ordering = ["created", "pk"]
    extra = 0
    can_delete = False
    verbose_name = "earlier text"
    verbose_name_plural = "earlier texts (the commenter edited this comment)"

    def has_add_permission(self, request, obj=None):
        return False


def _decide(status, verb):
    def action(modeladmin, request, queryset):
        changed = Decision.objects.change(queryset, status, actor=request.user)
        modeladmin.message_user(
            request, f"{changed} comment{pluralize(changed)} {verb}.", messages.SUCCESS
        )

    return action


# The owner answers a comment waiting for approval, or one readers already see.
ANSWERABLE = [Comment.Status.PENDING, Comment.Status.PUBLISHED]

# What one click on a comment's row or page does: (status, button, what the message says).
DECISIONS = {
    "approve": (Comment.Status.PUBLISHED, "Approve", "approved"),
    "spam": (Comment.Status.SPAM, "Spam", "marked as spam"),
    "remove": (Comment.Status.REMOVED, "Remove", "removed"),
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

    @admin.display(description="decide")
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
                request, f"The reply was not published: {form.errors['body'][0]}", messages.ERROR
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
                '{} is published, with your reply <a href="{}">#{}</a> under it.',
                comment,
                reply.get_absolute_url(),
                reply.number,
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
                    request, f"{comment} is {comment.get_status_display().lower()} again."
                )
            else:
                self.message_user(request, f"Nothing to undo on {comment}.", messages.WARNING)
        elif choice in DECISIONS:
            status, _, verb = DECISIONS[choice]
            with transaction.atomic():
                if status == Comment.Status.REMOVED and comment.status != status:
                    one.update(removal_reason="")
                changed = Decision.objects.change(one, status, actor=request.user)
            if changed:
                self.message_user(
                    request,
                    format_html(
                        '{} {}. <form method="post" action="{}" class="undo">'
                        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
                        '<input type="hidden" name="next" value="{}">'
                        '<button type="submit" name="decide" value="undo">Undo</button></form>',
                        comment,
                        verb,
                        self.decide_url(comment),
                        get_token(request),
                        back,
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
            "Comments are not deleted: Remove leaves a numbered tombstone, so that the replies "
            "keep their place and the decision is kept.",
            messages.WARNING,
        )
        return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", object_id)


@admin.register(Comment)
class CommentAdmin(DeskAdmin):
    """The moderation queue: every comment, filtered by status, decided in bulk."""

    list_display = ["number", "post", "author_name", "status", "excerpt", "created", "decide"]
    list_display_links = ["number", "excerpt"]
    list_filter = ["status", "post"]
    list_select_related = ["post"]
    search_fields = ["author_name", "author_email", "body"]
    date_hierarchy = "created"
    ordering = ["-created"]
    actions = ["approve", "mark_spam", "remove", "undo"]
    # Status changes only through the actions, so that each one is recorded.
    readonly_fields = ["post", "number", "parent", "status", "created", "edited", "ip_address"]
    fields = [
        "post",
        "number",
        "parent",
        "status",
        "created",
        "edited",
        "ip_address",
        "author_name",
        "author_email",
        "author_url",
        "body",
        "removal_reason",
    ]
    inlines = [RevisionInline, DecisionInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description="text")
    def excerpt(self, comment):
        return Truncator(comment.body).chars(80) or "—"

    def get_urls(self):
        privacy = self.admin_site.admin_view(self.privacy_view)
        return [path("privacy/", privacy, name="comments_privacy"), *super().get_urls()]

    def privacy_view(self, request):
        """Export or erase everything stored about one commenter, found by email address."""
        email = (request.POST.get("email") or request.GET.get("email") or "").strip()
        if request.method == "POST" and email:
            if request.POST.get("action") == "export":
                response = JsonResponse(privacy.export(email), json_dumps_params={"indent": 2})
                response["Content-Disposition"] = 'attachment; filename="commenter.json"'
                return response
            if request.POST.get("action") == "erase" and request.POST.get("confirm"):
                erased = privacy.erase(email, request.user)
                self.message_user(request, f"{erased} comment(s) by {email} erased.")
                return redirect("admin:comments_privacy")
            self.message_user(request, "Tick the box to confirm the erasure.", messages.WARNING)
        context = {
            **self.admin_site.each_context(request),
            "title": "A commenter's data",
            "email": email,
            "found": privacy.comments_of(email).count() if email else None,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/comments/privacy.html", context)

    approve = admin.action(description="Approve (publish) selected comments")(
        _decide(Comment.Status.PUBLISHED, "approved")
    )
    mark_spam = admin.action(description="Mark selected comments as spam")(
        _decide(Comment.Status.SPAM, "marked as spam")
    )

    @admin.action(description="Remove selected comments (leave a tombstone)")
    def remove(self, request, queryset):
        """First show what refers to the comments (replies, mentions of their authors) and ask
        for an optional public reason; then remove."""
        if request.POST.get("confirm") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": "Remove these comments?",
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
        self.message_user(
            request, f"{changed} comment{pluralize(changed)} removed.", messages.SUCCESS
        )

    @admin.action(description="Undo the last decision on selected comments")
    def undo(self, request, queryset):
        moved = Decision.objects.undo(queryset, request.user)
        self.message_user(
            request,
            f"{moved} comment{pluralize(moved)} put back where they were.",
            messages.SUCCESS,
        )


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["created", "what", "from_status", "to_status", "actor", "note"]
    list_filter = ["to_status", "actor"]
    list_select_related = ["comment__post", "actor"]
    date_hierarchy = "created"

    @admin.display(description="comment")
    def what(self, decision):
        # A purged comment is gone; what it was stays in words.
        return str(decision.comment) if decision.comment else decision.about


class WaitingFilter(admin.SimpleListFilter):
    """The queue's statuses only: a comment in it is held or spam."""

    title = "status"
    parameter_name = "status__exact"  # as the full list of comments names it

    def lookups(self, request, model_admin):
        return [(s, Comment.Status(s).label) for s in QueueQuerySet.WAITING]

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


@admin.register(QueuedComment)
class QueueAdmin(DeskAdmin):
    """Held and spam comments, newest first, each with its score and the reasons for it."""

    # The comment is what the owner decides on: it takes the width, the rest stays compact.
    list_display = ["comment", "status", "created", "decide"]
    list_display_links = ["created"]
    list_filter = [WaitingFilter, "post"]
    list_select_related = ["post", "assessment"]
    search_fields = ["author_name", "author_email", "body"]
    ordering = ["-created", "-pk"]
    actions = ["approve", "mark_spam", "remove", "undo", "block_sender"]
    fields = CommentAdmin.fields
    readonly_fields = fields
    inlines = [RevisionInline, DecisionInline]

    def get_queryset(self, request):
        return QueuedComment.objects.waiting()

    def changelist_view(self, request, extra_context=None):
        # Django's "Select comment awaiting moderation to change" says nothing of the work.
        title = "Held and spam comments: decide them"
        return super().changelist_view(request, {"title": title, **(extra_context or {})})

    @admin.display(description="score", ordering="assessment__score")
    def score(self, comment):
        assessment = getattr(comment, "assessment", None)
        return f"{assessment.score:.2f}" if assessment else "—"

    @admin.display(description="reasons")
    def reasons(self, comment):
        assessment = getattr(comment, "assessment", None)
        return "; ".join(assessment.reasons) if assessment and assessment.reasons else "—"

    @admin.display(description="comment")
    def comment(self, comment):
        """Who wrote it and where, its first few lines, and what the checks made of it."""
        sender = format_html_join(
            " · ",
            '<span class="desk-{}">{}</span>',
            (
                (part, value)
                for part, value in [
                    ("email", comment.author_email),
                    ("website", comment.author_url),
                ]
                if value
            ),
        )
        return format_html(
            '<p class="desk-byline"><strong class="desk-author">{}</strong> {} on '
            '<span class="desk-post">“{}”</span></p>'
            '<p class="desk-text">{}</p>'
            '<p class="desk-verdict">score <span class="desk-score">{}</span>: '
            '<span class="desk-reasons">{}</span></p>',
            comment.author,
            sender,
            comment.post.title,
            Truncator(comment.body).chars(400) or "—",
            self.score(comment),
            self.reasons(comment),
        )

    def has_change_permission(self, request, obj=None):
        return obj is None  # the list and its actions; nothing is edited around the audit trail

    approve = CommentAdmin.approve
    mark_spam = CommentAdmin.mark_spam
    remove = CommentAdmin.remove
    undo = CommentAdmin.undo

    def get_urls(self):
        shadow_view = self.admin_site.admin_view(self.shadow_view)
        return [path("shadow/", shadow_view, name="moderation_shadow"), *super().get_urls()]

    def shadow_view(self, request):
        """Try other moderation settings on past comments before switching them on."""
        form = shadow.ShadowForm(request.GET or None)
        rows = None
        if form.is_valid():
            data = form.cleaned_data
            rows = shadow.replay(
                data["since"], data["policy"], data["hold_above"], data["spam_above"]
            )
        context = {
            **self.admin_site.each_context(request),
            "title": "Try moderation settings in shadow",
            "opts": self.model._meta,
            "form": form,
            "rows": rows,
            "changed": [
                (row, shadow.WORDS[row.was], shadow.WORDS[row.would])
                for row in rows or []
                if row.changed
            ],
            "summary": [
                (shadow.WORDS[was], shadow.WORDS[would], n)
                for (was, would), n in sorted(shadow.summary(rows).items())
            ]
            if rows
            else [],
        }
        return TemplateResponse(request, "admin/moderation/shadow.html", context)

    @admin.action(description="Block the senders of selected comments and mark them as spam")
    def block_sender(self, request, queryset):
        added = Blocked.objects.block_senders(queryset)
        changed = Decision.objects.change(
            queryset, Comment.Status.SPAM, actor=request.user, note="sender blocked"
        )
        self.message_user(
            request,
            f"{added} blocklist entr{pluralize(added, 'y,ies')} added; "
            f"{changed} comment{pluralize(changed)} marked as spam.",
            messages.SUCCESS,
        )


@admin.register(Blocked)
class BlockedAdmin(admin.ModelAdmin):
    list_display = ["value", "kind", "note", "created"]
    list_filter = ["kind"]
    search_fields = ["value", "note"]
    fields = ["kind", "value", "note"]

    def get_actions(self, request):
        # Django names it after the plural, and "Delete selected blocklist" is no sentence.
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            function, name, _ = actions["delete_selected"]
            actions[name] = (function, name, "Delete selected blocklist entries")
        return actions


@admin.register(LogEntry)
class AuditLogAdmin(ReadOnlyAdmin):
    """Every change made by a person: publishing, editing and moderating, who and when."""

    list_display = ["action_time", "user", "content_type", "object_link", "action", "message"]
    list_filter = ["action_flag", "content_type", "user"]
    list_select_related = ["user", "content_type"]
    search_fields = ["object_repr", "change_message"]
    date_hierarchy = "action_time"

    @admin.display(description="object")
    def object_link(self, entry):
        url = entry.get_admin_url()
        return (
            format_html('<a href="{}">{}</a>', url, entry.object_repr) if url else entry.object_repr
        )

    @admin.display(description="action")
    def action(self, entry):
        return {ADDITION: "added", CHANGE: "changed", DELETION: "deleted"}[entry.action_flag]

    @admin.display(description="what")
    def message(self, entry):
        return entry.get_change_message()
