from django.urls import path

from klentyadmin.core import views

urlpatterns = [
    path("", views.home, name="home"),
]
