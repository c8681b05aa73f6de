"""Emptying every cache: drawn charts have their own (``caches["charts"]``), besides the default one."""

from django.core.cache import caches


def clear_caches() -> None:
    for cache in caches.all():
        cache.clear()
