"""Managers' and HR's OKR pages (okrs/views_manage.py)."""

from django.urls import URLPattern, path

from okrs import views_manage

urlpatterns: list[URLPattern] = [
    path("tree/", views_manage.okr_tree, name="okr_tree"),
    path("tree/children/", views_manage.okr_tree_children, name="okr_tree_children"),
    path("team/", views_manage.okr_team, name="okr_team"),
    path("cycles/", views_manage.okr_cycles, name="okr_cycles"),
    path("cycles/<int:cycle_id>/state/", views_manage.okr_cycle_state, name="okr_cycle_state"),
    path("cycles/carry-over/", views_manage.okr_carry_over, name="okr_carry_over"),
    path("adoption/", views_manage.okr_adoption, name="okr_adoption"),
]
