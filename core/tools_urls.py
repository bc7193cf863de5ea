from django.urls import path

from . import tools_views

urlpatterns = [path("", tools_views.tools, name="tools")]
