from django.urls import path

from okrs import views

urlpatterns = [
    path("", views.my_okrs, name="okrs"),
]
