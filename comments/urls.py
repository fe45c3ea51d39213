from django.urls import path

from . import views

app_name = "comments"

urlpatterns = [
    path("post/<int:post_id>/", views.post_comment, name="create"),
    path("post/<int:post_id>/follow/", views.follow, name="follow"),
    path("<int:pk>/", views.permalink, name="permalink"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("mute/<str:token>/", views.mute, name="mute"),
    path("post/<int:post_id>/reply/<int:number>/", views.reply, name="reply"),
]
