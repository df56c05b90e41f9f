from django.urls import path

from dedupe import views

app_name = "dedupe"

urlpatterns = [
    path("", views.pairs, name="pairs"),
    path("look-again/", views.look_again, name="look_again"),
    path("merge/", views.merge_many, name="merge_many"),
    path("<int:pk>/", views.merge, name="merge"),
]
