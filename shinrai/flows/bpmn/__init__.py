"""BPMN 2.0: parse untrusted .bpmn files, render their diagrams as SVG, compare two versions.

Plain Python, no Django and no database: the ``shinrai render-bpmn`` command uses it before Django starts.
"""

from .model import Bounds, Diagram, Edge, Element, Model, Shape
from .parser import BpmnRejected, Limits, parse

__all__ = ["Bounds", "BpmnRejected", "Diagram", "Edge", "Element", "Limits", "Model", "Shape", "parse"]
