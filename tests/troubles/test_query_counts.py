"""The register and the portal list answer in a number of queries that does not grow with the troubles."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .conftest import disclose, make_trouble

pytestmark = pytest.mark.django_db


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("role", "name"), [("vendor_pm", "troubles:register"), ("customer_member", "troubles:portal_list")]
)
def test_pages_do_not_grow_with_the_data(client, cast, role, name):
    client.force_login(cast.users[role])
    url = reverse(name, args=[cast.own.pk])
    for n in range(2):
        disclose(cast, make_trouble(cast, title=f"件{n}", owner=cast.users["vendor_pm"]))
    few = _count(client, url)
    for n in range(8):
        disclose(cast, make_trouble(cast, title=f"追加{n}", owner=cast.users["vendor_member"]))
    assert _count(client, url) == few
