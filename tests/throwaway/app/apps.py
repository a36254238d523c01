"""A throwaway app that exists only to prove the tenancy kit: installed by tests/throwaway/
test_kit.py alone, it is covered by the isolation sweep and the architecture test through its own
files (this package and ../sweep.py), with no line of organisations/ or of another app's tests
edited for it."""

from django.apps import AppConfig

from organisations.frame import NavItem


class ThrowawayConfig(AppConfig):
    name = "tests.throwaway.app"
    label = "throwaway"
    navigation = [NavItem("Notes", "throwaway:colleagues", section="throwaway", position=60)]
