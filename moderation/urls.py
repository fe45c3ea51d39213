from django.urls import path

from . import views

app_name = "moderation"

urlpatterns = [
    path("decide/<str:token>/", views.decide, name="decide"),
    path("preview/<int:pk>/", views.preview, name="preview"),
]
