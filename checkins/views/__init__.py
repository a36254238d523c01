"""Check-in pages: conversations (``conversations``), HR settings and overviews (``settings``),
the public routes a link in an e-mail or a calendar app opens (``public``)."""

from checkins.views.conversations import my_work_card

__all__ = ["my_work_card"]
