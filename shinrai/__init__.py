"""Shinrai (信頼): make an IT vendor's work transparent to its customers."""

__version__ = "0.1.0"
