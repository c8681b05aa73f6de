from tests.clock import clock  # noqa: F401  (re-exported fixture)
