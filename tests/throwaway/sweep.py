"""The throwaway app's isolation-sweep cases: all it adds to be covered (tests.kit.isolation finds
this module by the app's label)."""

from tests.kit.sweep_types import Case, no_ids

HTML_CASES = [
    Case("throwaway:colleagues"),
    Case("throwaway:colleague", lambda w: {"membership_id": w.employee.pk}),
]

API_CASES = {
    ("/api/v1/orgs/{org_slug}/colleagues/", "get"): no_ids,
    ("/api/v1/orgs/{org_slug}/colleagues/{id}/", "get"): lambda w: {"id": w.employee.pk},
}
