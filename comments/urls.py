from django.urls import path

from . import views

app_name = "comments"

urlpatterns = [
    path("post/<int:post_id>/", views.post_comment, name="create"),
    path("<int:pk>/", views.permalink, name="permalink"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("post/<int:post_id>/reply/<int:number>/", views.reply, name="reply"),
]
