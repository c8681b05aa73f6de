"""Demo data of the partnership check: the four quarters before the current one, for two accounts.

- 株式会社山田製作所 is a good partner whose decisions have slowed: "gives decisions when needed" falls from 4
  to 2 over the year while the rest stays high (its YMD-2026-01 trouble waits for the sponsor's choice),
  so the check page suggests agreeing a decision deadline.
- 株式会社みどりマート is drifting to "one of them" (see shinrai/accounts/demo.py): "treats us as an equal
  partner" falls from 4 to 2 and scope creeps in.

The current quarter is left open, for someone to record. Written through the services (by the vendor
manager), then the record times are moved to the end of each quarter. Idempotent: an account that already
has checks is left alone.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from shinrai.core.models import Organization, User

from . import services
from .facts import TOKYO
from .forms import recent_quarters
from .models import Assessment, quarter_start

VENDOR = "株式会社サンプルシステムズ"
MANAGER = "manager@sample-systems.example.jp"

# Per account, the four past quarters, oldest first: (own_part, decisions, equal_partner, learns, scope,
# notes).
STORIES = {
    "株式会社山田製作所": [
        (5, 4, 5, 4, 5, "要件確定のレビューに現場の方も毎回参加。判断も早い。"),
        (4, 4, 5, 4, 5, "受入テストのデータ準備が少し遅れたが事前に連絡があった。"),
        (4, 3, 4, 4, 4, "障害対応の対応案の選定に1週間以上かかった。部長の出張が多い。"),
        (4, 2, 4, 5, 4, "対応案の判断待ちが続いている。振り返りには積極的に参加してくれた。"),
    ],
    "株式会社みどりマート": [
        (4, 4, 4, 3, 4, "店舗POS入替は順調。RFP前に相談をもらえた。"),
        (3, 3, 3, 3, 3, "EC刷新はRFPで知った。競合との比較の質問が多い。"),
        (3, 3, 2, 2, 2, "「言われたものを作ればいい」という発言があった。追加要望が変更要求なしで来る。"),
        (3, 3, 2, 2, 2, "定例に部長が出なくなった。決済API遅延の件は一緒に対応できた。"),
    ],
}
NOTES = {
    "own_part": "期限の連絡は概ね守られている。",
    "decisions": "判断者が不在のとき代わりが決まっていない。",
}


@transaction.atomic
def load_partnership_demo() -> dict[str, int]:
    """Create the demo's checks where missing. Returns how many were created."""
    manager = User.objects.filter(email=MANAGER).first()
    vendor = Organization.objects.filter(name=VENDOR).first()
    if manager is None or vendor is None:
        return {"partnership_checks": 0}
    today = timezone.localdate()
    quarters = list(reversed(recent_quarters(today, 5)[1:]))  # the four before the current one
    created = 0
    for name, story in STORIES.items():
        customer = Organization.objects.filter(name=name).first()
        if customer is None or Assessment.objects.filter(vendor_org=vendor, customer_org=customer).exists():
            continue
        for (year, quarter), (own, dec, equal, learns, scope, notes) in zip(quarters, story, strict=True):
            # Assessed near the end of the quarter (never after today).
            on = min(quarter_start(year, quarter) + timedelta(days=80), today)
            assessment = services.assessment_create(
                by=manager,
                customer=customer,
                fiscal_year=year,
                quarter=quarter,
                own_part=own,
                decisions=dec,
                equal_partner=equal,
                learns=learns,
                scope=scope,
                notes=notes,
                own_part_note=NOTES["own_part"] if own < 5 else "",
                decisions_note=NOTES["decisions"] if dec < 4 else "",
                assessed_on=on,
            )
            at = datetime.combine(on, time(18, 0), tzinfo=TOKYO)
            Assessment.objects.filter(pk=assessment.pk).update(created_at=at, updated_at=at)
            created += 1
    return {"partnership_checks": created}
