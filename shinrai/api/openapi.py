"""Unique component names in the OpenAPI document.

django-ninja builds the document one schema at a time and merges every schema's definitions into
``components.schemas`` by name, so two classes of the same name overwrite each other: with two enums called
``Kind`` (``Requirement.Kind``, ``Webhook.Kind``) the document said a requirement's kind is ``slack``,
``teams`` or ``json``, and ledger's ``AnswerIn`` hid the surveys' one. So:

* a class nested in a class is named with its enclosing class (``RequirementKind``, ``WebhookKind``);
* a schema class whose name another Shinrai schema class also has is named with its app (``LedgerAnswerIn``,
  ``SurveysAnswerIn``);
* every other name stays as it was. ``tests/api/test_openapi.py`` checks the document against the spec.

The generator is installed by swapping the name ninja's document builder looks up when it calls pydantic
(ninja has no setting for it); ``install()`` is called once, when the API's auth module is imported.
"""

from __future__ import annotations

from collections import Counter
from functools import cache

from ninja.openapi import schema as ninja_openapi
from ninja.schema import NinjaGenerateJsonSchema
from pydantic import BaseModel
from pydantic.json_schema import CoreModeRef, DefsRef


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found.add(sub)
        found |= _subclasses(sub)
    return found


@cache
def _shared_names() -> frozenset[str]:
    """Names given to more than one of Shinrai's schema classes (read once, after the API is imported)."""
    names = Counter(
        model.__name__ for model in _subclasses(BaseModel) if model.__module__.startswith("shinrai.")
    )
    return frozenset(name for name, count in names.items() if count > 1)


def _unique_name(dotted: str) -> str | None:
    parts = dotted.split(".")
    if len(parts) >= 2 and parts[-1][:1].isupper() and parts[-2][:1].isupper():
        return parts[-2] + parts[-1]
    if len(parts) >= 3 and parts[0] == "shinrai" and parts[-1] in _shared_names():
        return parts[1].capitalize() + parts[-1]
    return None


class ShinraiGenerateJsonSchema(NinjaGenerateJsonSchema):
    def get_defs_ref(self, core_mode_ref: CoreModeRef) -> DefsRef:
        defs_ref = super().get_defs_ref(core_mode_ref)
        core_ref = core_mode_ref[0]
        if "[" in core_ref:  # generics keep pydantic's names
            return defs_ref
        name = _unique_name(core_ref.rsplit(":", 1)[0])
        if name is not None:
            choices = self._prioritized_defsref_choices[defs_ref]
            name = self.normalize_name(name)
            # The first two choices are the short name without and with the mode ("-Input"/"-Output").
            choices[1] = DefsRef(choices[1].replace(choices[0], name, 1))
            choices[0] = DefsRef(name)
        return defs_ref


def install() -> None:
    ninja_openapi.NinjaGenerateJsonSchema = ShinraiGenerateJsonSchema
