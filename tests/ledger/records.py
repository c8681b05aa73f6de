"""Ledger entries for tests: a few agreements recorded through the service (a valid hash chain)."""

from shinrai.ledger.services import ledger_append


def record_agreements(cast, n=3):
    return [
        ledger_append(
            by=cast.users["customer_sponsor"],
            project=cast.own,
            kind="agreement",
            subject=f"仕様合意 その{i + 1}",
            payload={"内容": "帳票は月次", "金額": 1000 * (i + 1)},
        )
        for i in range(n)
    ]
