from django.contrib import admin, messages
from django.db import models
from django.utils.text import Truncator

from comments.models import Comment

from .models import Decision


class DecisionInline(admin.TabularInline):
    model = Decision
    fields = ["created", "actor", "from_status", "to_status", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


def _decide(status, verb):
    def action(modeladmin, request, queryset):
        changed = Decision.objects.change(queryset, status, actor=request.user)
        modeladmin.message_user(
            request, f"{changed} comment{'s' if changed != 1 else ''} {verb}.", messages.SUCCESS
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
    actions = ["approve", "mark_spam", "remove"]
    # Status changes only through the actions, so that each one is recorded.
    readonly_fields = ["post", "number", "parent", "status", "created", "ip_address"]
    fields = [
        "post",
        "number",
        "parent",
        "status",
        "created",
        "ip_address",
        "author_name",
        "author_email",
        "author_url",
        "body",
    ]
    inlines = [DecisionInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description="text")
    def excerpt(self, comment):
        return Truncator(comment.body).chars(80) or "—"

    def has_add_permission(self, request):
        return False

    approve = admin.action(description="Approve (publish) selected comments")(
        _decide(Comment.Status.PUBLISHED, "approved")
    )
    mark_spam = admin.action(description="Mark selected comments as spam")(
        _decide(Comment.Status.SPAM, "marked as spam")
    )
    remove = admin.action(description="Remove selected comments (leave a tombstone)")(
        _decide(Comment.Status.REMOVED, "removed")
    )


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["created", "comment", "from_status", "to_status", "actor", "note"]
    list_filter = ["to_status", "actor"]
    list_select_related = ["comment__post", "actor"]
    date_hierarchy = "created"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
