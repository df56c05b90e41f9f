from django.urls import path

from cadences.views import receiver

app_name = "hooks"

urlpatterns = [
    path("klenty/<str:token>/", receiver.klenty, name="klenty"),
]
