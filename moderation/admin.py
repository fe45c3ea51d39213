from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.db import models, transaction
from django.http import JsonResponse
from django.shortcuts import redirect
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html
from django.utils.text import Truncator

from comments import tree
from comments.models import Comment, Revision

from . import checks, privacy, shadow
from .models import Blocked, Decision, QueuedComment
from .policy import POLICIES, thresholds


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


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """The moderation queue: every comment, filtered by status, decided in bulk."""

    list_display = ["number", "post", "author_name", "status", "excerpt", "created"]
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

    def has_add_permission(self, request):
        return False

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
                "found": [(c, *referring(c)) for c in queryset.select_related("post")],
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


def referring(comment):
    """(replies under `comment`, other visible comments on its post that name its author)."""
    shape = Comment.objects.filter(post_id=comment.post_id).thread_shape()
    below = [row.pk for row in tree.below(shape, comment.pk)]
    replies = list(Comment.objects.filter(pk__in=below).order_by("number"))
    naming = []
    if len(comment.author_name) >= 3:
        naming = list(
            Comment.objects.visible()
            .filter(post_id=comment.post_id, body__icontains=comment.author_name)
            .exclude(pk__in=[comment.pk, *below])
            .order_by("number")
        )
    return replies, naming


class ShadowForm(forms.Form):
    since = forms.DateTimeField(widget=forms.DateInput(attrs={"type": "date"}))
    policy = forms.ChoiceField(
        choices=[("", "as now"), *[(p, p) for p in POLICIES]], required=False
    )
    hold_above = forms.FloatField(min_value=0, max_value=1, required=False)
    spam_above = forms.FloatField(min_value=0, max_value=1, required=False)

    def clean(self):
        data = super().clean()
        hold, spam_ = thresholds(data.get("hold_above"), data.get("spam_above"))
        if hold > spam_:
            raise forms.ValidationError("The hold score must not be above the spam score.")
        return data


def block_senders(comments):
    """Put each comment's sender on the blocklists: email, website domain, IP address, and the
    name when nothing else identifies them. Returns how many entries were new."""
    added = 0
    for c in comments:
        entries = [
            (Blocked.Kind.EMAIL, c.author_email),
            (Blocked.Kind.DOMAIN, checks.host(c.author_url) if c.author_url else ""),
            (Blocked.Kind.IP, c.ip_address or ""),
        ]
        if not any(value for _, value in entries):
            entries.append((Blocked.Kind.NAME, c.author_name))
        for kind, value in entries:
            if value:
                _, created = Blocked.objects.get_or_create(
                    kind=kind, value=value.strip().lower(), defaults={"note": f"from {c}"}
                )
                added += created
    return added


@admin.register(QueuedComment)
class QueueAdmin(admin.ModelAdmin):
    """Held and spam comments, newest first, each with its score and the reasons for it."""

    list_display = ["created", "status", "score", "reasons", "post", "author_name", "text"]
    list_display_links = ["created"]
    list_filter = ["status", "post"]
    list_select_related = ["post", "assessment"]
    search_fields = ["author_name", "author_email", "body"]
    ordering = ["-created", "-pk"]
    actions = ["approve", "mark_spam", "remove", "undo", "block_sender"]
    fields = CommentAdmin.fields
    readonly_fields = fields
    inlines = [RevisionInline, DecisionInline]

    def get_queryset(self, request):
        return QueuedComment.objects.waiting()

    @admin.display(description="score", ordering="assessment__score")
    def score(self, comment):
        assessment = getattr(comment, "assessment", None)
        return f"{assessment.score:.2f}" if assessment else "—"

    @admin.display(description="reasons")
    def reasons(self, comment):
        assessment = getattr(comment, "assessment", None)
        return "; ".join(assessment.reasons) if assessment and assessment.reasons else "—"

    @admin.display(description="text")
    def text(self, comment):
        return Truncator(comment.body).chars(200) or "—"

    def has_add_permission(self, request):
        return False

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
        form = ShadowForm(request.GET or None)
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

    @admin.action(description="Block the sender and mark as spam")
    def block_sender(self, request, queryset):
        added = block_senders(queryset)
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
