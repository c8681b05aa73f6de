"""`shinrai rerender-flows` redraws stored diagrams from the unchanged uploaded files."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from shinrai.flows import services
from shinrai.flows.bpmn import parse
from shinrai.flows.bpmn.render import render_svg
from shinrai.flows.models import FlowDiagram

from .conftest import sample_bytes

pytestmark = pytest.mark.django_db


def test_rerender_replaces_stale_drawings_and_keeps_the_file(cast, capsys):
    data = sample_bytes("A.4.0")
    flow = services.flow_create(
        by=cast.users["vendor_pm"], project=cast.own, title="Lanes", data=data, filename="A.4.0.bpmn"
    )
    FlowDiagram.objects.filter(version=flow.current_version).update(svg="<svg>stale</svg>")

    call_command("rerender-flows")

    diagram = FlowDiagram.objects.get(version=flow.current_version, index=0)
    assert diagram.svg == render_svg(parse(data), 0)
    assert bytes(flow.current_version.source) == data
    assert "Redrew 1 diagram(s) of 1 version(s)." in capsys.readouterr().out
