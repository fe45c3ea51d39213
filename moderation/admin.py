"""The admin's registry: which lists and pages the owner gets, and how each is laid out. What the
two lists of comments do with a comment (decide it, answer it) is in desk.py."""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.db import models
from django.http import JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from comments.models import Comment, Revision

from . import privacy, shadow
from .desk import DeskAdmin
from .models import Blocked, Decision, QueuedComment, QueueQuerySet

# The admin is the owner's desk for this blog: named after it, in the header and in page titles.
admin.site.site_header = admin.site.site_title = lazy(
    lambda: gettext("%(blog)s — moderation") % {"blog": settings.BLOG_TITLE}, str
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
    verbose_name = _("earlier text")
    verbose_name_plural = _("earlier texts (the commenter edited this comment)")

    def has_add_permission(self, request, obj=None):
        return False


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

    @admin.display(description=_("text"))
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
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d comment by %(email)s erased.",
                        "%(count)d comments by %(email)s erased.",
                        erased,
                    )
                    % {"count": erased, "email": email},
                )
                return redirect("admin:comments_privacy")
            self.message_user(
                request, gettext("Tick the box to confirm the erasure."), messages.WARNING
            )
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("A commenter's data"),
            "email": email,
            "found": privacy.comments_of(email).count() if email else None,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/comments/privacy.html", context)


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["created", "what", "from_status", "to_status", "actor", "note"]
    list_filter = ["to_status", "actor"]
    list_select_related = ["comment__post", "actor"]
    date_hierarchy = "created"

    @admin.display(description=_("comment"))
    def what(self, decision):
        # A purged comment is gone; what it was stays in words.
        return str(decision.comment) if decision.comment else decision.about


class WaitingFilter(admin.SimpleListFilter):
    """The queue's statuses only: a comment in it is held or spam."""

    title = _("status")
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
        title = gettext("Held and spam comments: decide them")
        return super().changelist_view(request, {"title": title, **(extra_context or {})})

    @admin.display(description=_("score"), ordering="assessment__score")
    def score(self, comment):
        assessment = getattr(comment, "assessment", None)
        return number_format(assessment.score, 2) if assessment else "—"

    @admin.display(description=_("reasons"))
    def reasons(self, comment):
        assessment = getattr(comment, "assessment", None)
        return "; ".join(assessment.reasons) if assessment and assessment.reasons else "—"

    @admin.display(description=_("comment"))
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
            gettext(
                '<p class="desk-byline"><strong class="desk-author">{author}</strong> {sender} on '
                '<span class="desk-post">“{title}”</span></p>'
                '<p class="desk-text">{text}</p>'
                '<p class="desk-verdict">score <span class="desk-score">{score}</span>: '
                '<span class="desk-reasons">{reasons}</span></p>'
            ),
            author=comment.author,
            sender=sender,
            title=comment.post.title,
            text=Truncator(comment.body).chars(400) or "—",
            score=self.score(comment),
            reasons=self.reasons(comment),
        )

    def has_change_permission(self, request, obj=None):
        return obj is None  # the list and its actions; nothing is edited around the audit trail

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
            "title": gettext("Try moderation settings in shadow"),
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
            function, name = actions["delete_selected"][:2]
            actions[name] = (function, name, _("Delete selected blocklist entries"))
        return actions


@admin.register(LogEntry)
class AuditLogAdmin(ReadOnlyAdmin):
    """Every change made by a person: publishing, editing and moderating, who and when."""

    list_display = ["action_time", "user", "content_type", "object_link", "action", "message"]
    list_filter = ["action_flag", "content_type", "user"]
    list_select_related = ["user", "content_type"]
    search_fields = ["object_repr", "change_message"]
    date_hierarchy = "action_time"

    @admin.display(description=_("object"))
    def object_link(self, entry):
        url = entry.get_admin_url()
        return (
            format_html('<a href="{}">{}</a>', url, entry.object_repr) if url else entry.object_repr
        )

    @admin.display(description=_("action"))
    def action(self, entry):
        return {ADDITION: _("added"), CHANGE: _("changed"), DELETION: _("deleted")}[
            entry.action_flag
        ]

    @admin.display(description=_("what"))
    def message(self, entry):
        return entry.get_change_message()
