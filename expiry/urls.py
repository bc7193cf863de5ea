from django.urls import path

from . import views

app_name = "expiry"

urlpatterns = [
    path("<int:pk>/renew/", views.renew, name="renew"),
]
