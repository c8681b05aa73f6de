"""API endpoint for the catalogue of non-functional requirement templates (the requirements workspace's
"non-functional templates" page). Part of ``api.router`` (imported by ``shinrai.requirements.api``).

A template is what the "new requirement" form is filled with when one is picked: a sentence with 〇〇 and △
to fill in, its category, and acceptance criteria. A client starts a requirement from it with
``create_requirement`` (``kind`` = ``non_functional``). The catalogue is plain data in ``nfr_catalogue``.
"""

from django.utils.translation import get_language
from ninja import Field, Schema
from ninja.pagination import paginate

from shinrai.api.pagination import Pagination
from shinrai.core import access
from shinrai.core.access import Perm

from . import nfr_catalogue
from .api import _require, router
from .models import Requirement


class TemplateCriterionOut(Schema):
    metric: str
    operator: str
    threshold: str
    threshold_high: str
    unit: str
    condition: str
    method: str


class RequirementTemplateOut(Schema):
    code: str = Field(examples=["A.1.1"], description="The template's number in the non-functional grades")
    category: str = Field(examples=["availability"])
    category_label: str = Field(description="The category in the request's language")
    title: str
    text: str = Field(description="The requirement's sentence; 〇〇 and △ are placeholders to fill in")
    criteria: list[TemplateCriterionOut]


@router.get(
    "/projects/{int:project_id}/requirements/catalogue",
    response=list[RequirementTemplateOut],
    summary="Non-functional requirement templates to start a requirement from (vendor roles; 403 for "
    "others who can see the project)",
)
@paginate(Pagination)
def list_requirement_templates(request, project_id: int):
    """In the page's order: by category as the Japanese non-functional requirement grades group them, texts
    in the request's language. For the roles that add requirements, like the page."""
    _project, role = access.project_for(request.auth, project_id)
    _require(role, Perm.CONTRIBUTE)
    language = get_language() or "ja"
    return [
        {
            "code": template.code,
            "category": category,
            "category_label": str(Requirement.Category(category).label),
            "title": template.title(language),
            "text": template.text(language),
            "criteria": template.criteria_values(language),
        }
        for category, templates in nfr_catalogue.grouped()
        for template in templates
    ]
