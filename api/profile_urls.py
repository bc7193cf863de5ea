from django.urls import path

from . import profile_views

app_name = "tokens"

urlpatterns = [path("", profile_views.tokens, name="tokens")]
