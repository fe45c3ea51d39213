from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Label, Post, PreviousAddress


class PostForm(forms.ModelForm):
    new_labels = forms.CharField(
        required=False,
        label=_("New labels"),
        help_text=_("Labels to create and add, separated by commas."),
        widget=forms.TextInput(attrs={"size": 60}),
    )

    class Meta:
        model = Post
        fields = [
            "title",
            "slug",
            "body",
            "labels",
            "status",
            "published",
            "commenting",
            "close_after_days",
            "moderation_policy",
        ]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    form = PostForm
    list_display = ["title", "state", "published", "commenting", "preview"]
    list_filter = ["status", "commenting", "labels"]
    date_hierarchy = "published"
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["labels"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "body", "labels", "new_labels"]}),
        (_("Publishing"), {"fields": ["status", "published"]}),
        (_("Comments"), {"fields": ["commenting", "close_after_days", "moderation_policy"]}),
    ]
    actions = ["publish", "unpublish", "close_comments"]

    @admin.display(description=_("state"), ordering="status")
    def state(self, post):
        if post.status == Post.Status.DRAFT:
            return _("draft")
        return _("published") if post.published <= timezone.now() else _("scheduled")

    @admin.display(description=_("preview"))
    def preview(self, post):
        return format_html('<a href="{}">{}</a>', post.get_absolute_url(), _("view"))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        names = [n.strip() for n in form.cleaned_data.get("new_labels", "").split(",")]
        for name in filter(None, names):
            form.instance.labels.add(Label.objects.named(name))

    def response_add(self, request, obj, post_url_continue=None):
        if "_preview" in request.POST:
            return HttpResponseRedirect(obj.get_absolute_url())
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if "_preview" in request.POST:
            return HttpResponseRedirect(obj.get_absolute_url())
        return super().response_change(request, obj)

    @admin.action(description=_("Publish selected posts (drafts dated in the past: now)"))
    def publish(self, request, queryset):
        now = timezone.now()
        published = scheduled = 0
        with transaction.atomic():
            for post in queryset.exclude(status=Post.Status.PUBLISHED, published__lte=now):
                if post.status == Post.Status.DRAFT and post.published <= now:
                    post.published = now
                post.status = Post.Status.PUBLISHED
                post.save()
                scheduled += post.published > now
                published += post.published <= now
                self.log_change(
                    request,
                    post,
                    "Published"
                    if post.published <= now
                    else f"Scheduled for {post.published:%Y-%m-%d %H:%M}",
                )
        self.message_user(
            request,
            ngettext(
                "%(published)d post published, %(scheduled)d scheduled.",
                "%(published)d posts published, %(scheduled)d scheduled.",
                published,
            )
            % {"published": published, "scheduled": scheduled},
            messages.SUCCESS,
        )

    @admin.action(description=_("Unpublish selected posts (back to drafts)"))
    def unpublish(self, request, queryset):
        changed = self._change(
            request,
            queryset.exclude(status=Post.Status.DRAFT),
            "Unpublished",
            status=Post.Status.DRAFT,
        )
        message = ngettext("%(count)d post unpublished.", "%(count)d posts unpublished.", changed)
        self.message_user(request, message % {"count": changed}, messages.SUCCESS)

    @admin.action(description=_("Close comments on selected posts"))
    def close_comments(self, request, queryset):
        changed = self._change(
            request,
            queryset.exclude(commenting=Post.Commenting.CLOSED),
            "Closed to comments",
            commenting=Post.Commenting.CLOSED,
        )
        message = ngettext(
            "%(count)d post closed to comments.", "%(count)d posts closed to comments.", changed
        )
        self.message_user(request, message % {"count": changed}, messages.SUCCESS)

    def _change(self, request, queryset, log, **fields):
        """Set `fields` on each post of `queryset`, noting `log` in the audit log (in the
        blog's words, as kept data); returns how many posts changed."""
        # One save per post rather than update(): saving refreshes the cached pages and keeps
        # the post's address history, and each change goes into the audit log.
        with transaction.atomic():
            posts = list(queryset)
            for post in posts:
                for name, value in fields.items():
                    setattr(post, name, value)
                post.save()
                self.log_change(request, post, log)
        return len(posts)


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(PreviousAddress)
class PreviousAddressAdmin(admin.ModelAdmin):
    list_display = ["path", "post"]
    list_select_related = ["post"]
    search_fields = ["path", "post__title"]
    raw_id_fields = ["post"]
