"""Workspace and portal pages: content, language, and a query count that does not grow with the data."""

from django.urls import reverse

from shinrai.core.models import User

from ..factories import ProjectFactory, ProjectMemberFactory


def test_portfolio_query_count_is_constant(client, cast, django_assert_num_queries):
    client.force_login(cast.users["vendor_manager"])
    client.get(reverse("core:portfolio"))  # warm the session
    # session, user+organization, every project's last week (the counts), the page's projects, their reports
    with django_assert_num_queries(5):
        small = client.get(reverse("core:portfolio"))
    for _ in range(20):  # still one page (25 a page; tests/core/test_portfolio_pages.py pages)
        ProjectFactory(vendor_org=cast.vendor)
    with django_assert_num_queries(5):
        large = client.get(reverse("core:portfolio"))
    row = '<tr id="project-'
    assert large.content.decode().count(row) == small.content.decode().count(row) + 20


def test_project_home_query_count_is_constant(client, cast, django_assert_max_num_queries):
    client.force_login(cast.users["vendor_pm"])
    for _ in range(15):
        ProjectMemberFactory(project=cast.own, user__organization=cast.vendor, role="vendor_member")
    with django_assert_max_num_queries(7):
        response = client.get(reverse("core:project_home", args=[cast.own.pk]))
    assert response.status_code == 200


def test_portal_query_count_is_constant(client, cast, django_assert_max_num_queries):
    client.force_login(cast.users["customer_sponsor"])
    for _ in range(10):
        project = ProjectFactory(vendor_org=cast.vendor, customer_org=cast.customer)
        ProjectMemberFactory(project=project, user=cast.users["customer_sponsor"], role="customer_sponsor")
    with django_assert_max_num_queries(4):
        response = client.get(reverse("core:portal"))
    assert response.content.decode().count('class="card project-card"') == 11


def test_project_home_shows_internal_note_to_vendor(client, cast):
    client.force_login(cast.users["vendor_member"])
    html = client.get(reverse("core:project_home", args=[cast.own.pk])).content.decode()
    assert "社内メモ: 見積超過" in html
    assert "¥10,000,000" in html


def test_portal_is_plain_japanese_by_default(client, cast):
    client.force_login(cast.users["customer_member"])
    html = client.get(reverse("core:portal_project", args=[cast.own.pk])).content.decode()
    assert '<html lang="ja">' in html
    assert "自社案件" in html
    assert "社内メモ" not in html


def test_language_switch_is_remembered_on_the_user(client, cast):
    user = cast.users["customer_member"]
    client.force_login(user)
    response = client.post(reverse("core:set_language"), {"language": "en", "next": reverse("core:portal")})
    assert response["Location"] == reverse("core:portal")
    assert User.objects.get(pk=user.pk).language == "en"
    assert '<html lang="en">' in client.get(reverse("core:portal")).content.decode()


def test_language_switch_rejects_unknown_language_and_foreign_redirects(client, cast):
    user = cast.users["customer_member"]
    client.force_login(user)
    response = client.post(reverse("core:set_language"), {"language": "xx", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert User.objects.get(pk=user.pk).language == "ja"


def test_anonymous_language_switch_uses_a_cookie(client, db):
    client.post(reverse("core:set_language"), {"language": "en", "next": "/accounts/login/"})
    assert client.cookies["shinrai_language"].value == "en"
    assert '<html lang="en">' in client.get(reverse("login")).content.decode()


def test_api_token_page_shows_new_token_once(client, cast):
    client.force_login(cast.users["vendor_pm"])
    response = client.post(reverse("core:me"), {"name": "Excel"}, follow=True)
    html = response.content.decode()
    assert "shr_" in html
    assert "shr_" not in client.get(reverse("core:me")).content.decode().replace(
        cast.users["vendor_pm"].api_tokens.get().prefix, ""
    )


def test_api_token_form_requires_a_name(client, cast):
    client.force_login(cast.users["vendor_pm"])
    response = client.post(reverse("core:me"), {"name": ""})
    assert response.status_code == 200
    assert not cast.users["vendor_pm"].api_tokens.exists()


def test_project_home_names_changed_fields_in_the_users_language(client, cast):
    from shinrai.core import services

    services.project_update(by=cast.users["vendor_pm"], project=cast.own, name="改名", phase="test")
    client.force_login(cast.users["vendor_pm"])
    html = client.get(reverse("core:project_home", args=[cast.own.pk])).content.decode()
    assert "プロジェクト情報を変更" in html
    assert "(プロジェクト名、フェーズ)" in html
