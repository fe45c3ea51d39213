from django.urls import path, re_path

from . import views

app_name = "blog"

urlpatterns = [
    path("", views.index, name="index"),
    path("archive/", views.archive, name="archive"),
    path("labels/", views.labels, name="labels"),
    path("label/<slug:slug>/", views.label, name="label"),
    re_path(r"^(?P<year>[0-9]{4})/$", views.year_archive, name="year"),
    re_path(r"^(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/$", views.month_archive, name="month"),
    re_path(
        r"^(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/(?P<slug>[-\w]+)/$",
        views.post_detail,
        name="post",
    ),
    re_path(
        r"^(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/(?P<slug>[-\w]+)\.html$",
        views.blogger_permalink,
    ),
]
