from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.html import format_html

from .models import Label, Post, PreviousAddress


class PostForm(forms.ModelForm):
    new_labels = forms.CharField(
        required=False,
        help_text="Labels to create and add, separated by commas.",
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
        ("Publishing", {"fields": ["status", "published"]}),
        ("Comments", {"fields": ["commenting", "close_after_days", "moderation_policy"]}),
    ]
    actions = ["publish", "unpublish", "close_comments"]

    @admin.display(description="state", ordering="status")
    def state(self, post):
        if post.status == Post.Status.DRAFT:
            return "draft"
        return "published" if post.published <= timezone.now() else "scheduled"

    @admin.display(description="preview")
    def preview(self, post):
        return format_html('<a href="{}">view</a>', post.get_absolute_url())

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

    @admin.action(description="Publish selected posts (drafts dated in the past: now)")
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
            f"{published} post{pluralize(published)} published, {scheduled} scheduled.",
            messages.SUCCESS,
        )

    @admin.action(description="Unpublish selected posts (back to drafts)")
    def unpublish(self, request, queryset):
        self._change(
            request,
            queryset.exclude(status=Post.Status.DRAFT),
            "unpublished",
            status=Post.Status.DRAFT,
        )

    @admin.action(description="Close comments on selected posts")
    def close_comments(self, request, queryset):
        self._change(
            request,
            queryset.exclude(commenting=Post.Commenting.CLOSED),
            "closed to comments",
            commenting=Post.Commenting.CLOSED,
        )

    def _change(self, request, queryset, done, **fields):
        # One save per post rather than update(): saving refreshes the cached pages and keeps
        # the post's address history, and each change goes into the audit log.
        with transaction.atomic():
            posts = list(queryset)
            for post in posts:
                for name, value in fields.items():
                    setattr(post, name, value)
                post.save()
                self.log_change(request, post, done.capitalize())
        self.message_user(
            request, f"{len(posts)} post{pluralize(len(posts))} {done}.", messages.SUCCESS
        )


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
