from tests.conftest import a, b, stranger  # noqa: F401  (the same two-tenant fixtures)
