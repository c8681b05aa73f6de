"""The chain's state is cached by the stored entries themselves: tampering with any entry, the oldest
included, shows on the next view of the project home (ledger/selectors.py, chain_state)."""

import pytest
from django.db import connection
from django.urls import reverse

from shinrai.ledger import selectors

from .records import record_agreements

pytestmark = pytest.mark.django_db


def _sql(statement, params):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _home(client, cast) -> str:
    return client.get(reverse("core:project_home", args=[cast.own.pk])).content.decode()


@pytest.mark.parametrize(
    ("statement", "value"),
    [
        ("UPDATE ledger_entry SET subject = %s WHERE id = %s", "改ざん"),
        ("UPDATE ledger_entry SET payload = %s WHERE id = %s", '{"内容": "帳票は週次", "金額": 1000}'),
    ],
)
def test_tampering_with_the_oldest_entry_shows_after_a_cached_view(client, cast, statement, value):
    entries = record_agreements(cast)
    client.force_login(cast.users["vendor_pm"])
    assert 'data-chain="verified"' in _home(client, cast)
    assert 'data-chain="verified"' in _home(client, cast)  # from the cache now
    _sql(statement, [value, entries[0].pk])  # not the head: count, last id and last hash stay the same
    html = _home(client, cast)
    assert 'data-chain="broken"' in html and "#1" in html


def test_a_broken_link_at_the_head_is_reported(client, cast):
    entries = record_agreements(cast)
    _sql("UPDATE ledger_entry SET prev_hash = %s WHERE id = %s", ["f" * 64, entries[2].pk])
    client.force_login(cast.users["vendor_pm"])
    assert 'data-chain="broken"' in _home(client, cast)
    assert selectors.chain_state(cast.own).broken_seq == 3


def test_a_repeat_check_reads_the_entries_once(cast, django_assert_num_queries):
    record_agreements(cast)
    assert selectors.chain_state(cast.own).ok
    with django_assert_num_queries(1):
        assert selectors.chain_state(cast.own).ok
