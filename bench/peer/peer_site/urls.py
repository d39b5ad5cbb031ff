from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("messages/", include("postman.urls", namespace="postman")),
    path("unread-count", views.unread_count),
    path("floor", views.floor),
]
