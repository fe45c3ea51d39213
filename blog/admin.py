from django.contrib import admin

from .models import Label, Post


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["title", "published"]
    date_hierarchy = "published"
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["labels"]


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
