"""Emptying every cache: drawn charts have their own (``caches["charts"]``), besides the default one, and
WBS outlines are also kept in the process that read them."""

from django.core.cache import caches


def clear_caches() -> None:
    from shinrai.progress.selectors import forget_outlines

    for cache in caches.all():
        cache.clear()
    forget_outlines()
