import pytest

from shinrai.requirements import services

CRITERION = {
    "metric": "検索応答時間(95パーセンタイル)",
    "operator": "lte",
    "threshold": "2",
    "unit": "秒",
    "condition": "同時利用者300人",
    "method": "負荷試験",
}


@pytest.fixture
def make_requirement(cast):
    def make(
        text="在庫一覧を2秒以内に表示すること", *, project=None, by=None, criteria=(CRITERION,), **fields
    ):
        return services.requirement_create(
            by=by or cast.users["vendor_pm"],
            project=project or cast.own,
            text=text,
            criteria=list(criteria),
            **fields,
        )

    return make
