from django.urls import path

from saved_views import views

app_name = "saved_views"

urlpatterns = [
    path("", views.view_list, name="list"),
    path("new/", views.create, name="create"),
    path("pinned/", views.pinned, name="pinned"),
    path("defaults/", views.defaults, name="defaults"),
    path("<int:pk>/", views.open_view, name="open"),
    path("<int:pk>/rename/", views.rename, name="rename"),
    path("<int:pk>/search/", views.update_search, name="update_search"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("<int:pk>/share/", views.share, name="share"),
    path("<int:pk>/pin/", views.pin, name="pin"),
]
