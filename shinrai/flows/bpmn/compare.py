"""Compare the steps of two versions of a flow: added, removed and renamed, matched by element id.

Modelling tools keep an element's id when it is moved or renamed, so the id is what identifies a step across
uploads; a step whose id changed shows as one removed and one added, which is what the file says.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class StepRef:
    element_id: str
    kind: str
    name: str


@dataclass
class Comparison:
    added: list[StepRef] = field(default_factory=list)
    removed: list[StepRef] = field(default_factory=list)
    renamed: list[tuple[StepRef, StepRef]] = field(default_factory=list)  # (old, new)

    @property
    def unchanged(self) -> bool:
        return not (self.added or self.removed or self.renamed)

    def marks_for_new(self) -> dict[str, str]:
        """Element id → highlight, for drawing the newer version."""
        marks = {step.element_id: "added" for step in self.added}
        marks.update({new.element_id: "renamed" for _, new in self.renamed})
        return marks

    def marks_for_old(self) -> dict[str, str]:
        """Element id → highlight, for drawing the older version."""
        marks = {step.element_id: "removed" for step in self.removed}
        marks.update({old.element_id: "renamed" for old, _ in self.renamed})
        return marks


def _normalised(name: str) -> str:
    # Line breaks and spaces are layout, not a rename: Japanese labels are broken anywhere to wrap them
    # ("受注\n登録" is still "受注登録"), so every whitespace character is ignored, not only runs of it.
    return "".join(name.split())


def compare_steps(old: Iterable[StepRef], new: Iterable[StepRef]) -> Comparison:
    old_by_id = {step.element_id: step for step in old}
    new_by_id = {step.element_id: step for step in new}
    result = Comparison()
    for element_id, step in new_by_id.items():
        before = old_by_id.get(element_id)
        if before is None:
            result.added.append(step)
        elif _normalised(before.name) != _normalised(step.name):
            result.renamed.append((before, step))
    result.removed = [step for element_id, step in old_by_id.items() if element_id not in new_by_id]
    return result
