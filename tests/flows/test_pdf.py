"""The flow PDF: opens, carries the title, one page per diagram, and the diagram is really drawn."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from shinrai.core.models import Visibility
from shinrai.flows import services
from shinrai.flows.demo import FILES
from tests.security.matrix_flows import TINY_BPMN

# TINY_BPMN with a second diagram drawing the same process elsewhere: two pictures, two diagram pages.
SECOND_DIAGRAM = b"""<bpmndi:BPMNDiagram id="DG2" name="second"><bpmndi:BPMNPlane id="PL2" bpmnElement="P">
    <bpmndi:BPMNShape id="T_di2" bpmnElement="T">
      <dc:Bounds x="10" y="10" width="100" height="80"/></bpmndi:BPMNShape>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</definitions>"""
TWO_DIAGRAMS = TINY_BPMN.replace(b"</definitions>", SECOND_DIAGRAM)


def non_white(image) -> int:
    return sum(image.histogram()[:220])


def pdf_of(client, cast, data: bytes, title: str) -> bytes:
    flow = services.flow_create(
        by=cast.users["vendor_pm"],
        project=cast.own,
        title=title,
        data=data,
        filename="f.bpmn",
        visibility=Visibility.CUSTOMER,
    )
    client.force_login(cast.users["customer_member"])
    response = client.get(reverse("flows:pdf", args=[cast.own.pk, flow.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return response.content


def test_the_pdf_has_the_title_and_a_page_per_diagram(client, cast):
    reader = PdfReader(io.BytesIO(pdf_of(client, cast, TWO_DIAGRAMS, "二つの図の業務フロー")))
    assert len(reader.pages) == 3  # two diagrams, then the step list
    first = reader.pages[0].extract_text()
    assert "二つの図の業務フロー" in first
    assert cast.own.name in first
    assert "second" in reader.pages[1].extract_text()
    steps = reader.pages[2].extract_text()
    assert "受注する" in steps and "開始" in steps
    for page in reader.pages[:2]:
        assert float(page.mediabox.width) > float(page.mediabox.height)  # landscape


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")
def test_the_diagram_is_drawn_on_its_page(client, cast, tmp_path):
    content = pdf_of(client, cast, (FILES / "order_to_ship_v2.bpmn").read_bytes(), "受注から出荷まで")
    (tmp_path / "flow.pdf").write_bytes(content)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            "-png",
            str(tmp_path / "flow.pdf"),
            str(tmp_path / "p"),
        ],
        check=True,
        timeout=60,
    )
    [png] = list(tmp_path.glob("p*.png"))
    image = Image.open(png).convert("L")
    width, height = image.size
    # The middle band of the page, where the fitted diagram sits: lines and text, not a blank page.
    band = image.crop((int(width * 0.1), int(height * 0.35), int(width * 0.9), int(height * 0.8)))
    assert non_white(band) > 2000
    # The header area above it is mostly white apart from the title lines.
    corner = image.crop((int(width * 0.6), 0, width, int(height * 0.08)))
    assert non_white(corner) < 50
