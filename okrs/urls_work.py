"""Employees' OKR pages (okrs/views.py), under /o/<org_slug>/okrs/."""

from django.urls import path

from okrs import views

urlpatterns = [
    path("", views.my_okrs, name="okrs"),
    path("objectives/new/", views.objective_create, name="objective_create"),
    path("objectives/<int:objective_id>/", views.objective_detail, name="objective_detail"),
    path("objectives/<int:objective_id>/edit/", views.objective_edit, name="objective_edit"),
    path("objectives/<int:objective_id>/delete/", views.objective_delete, name="objective_delete"),
    path("objectives/<int:objective_id>/reflection/", views.objective_reflect, name="objective_reflect"),
    path("objectives/<int:objective_id>/key-results/new/", views.key_result_create, name="key_result_create"),
    path("objectives/<int:objective_id>/align/", views.alignment_add, name="alignment_add"),
    path("objectives/<int:objective_id>/align/search/", views.alignment_search, name="alignment_search"),
    path("key-results/<int:key_result_id>/edit/", views.key_result_edit, name="key_result_edit"),
    path("key-results/<int:key_result_id>/delete/", views.key_result_delete, name="key_result_delete"),
    path("key-results/<int:key_result_id>/progress/", views.key_result_progress, name="key_result_progress"),
    path("key-results/<int:key_result_id>/score/", views.key_result_score, name="key_result_score"),
    path("alignments/<int:alignment_id>/delete/", views.alignment_delete, name="alignment_delete"),
]
