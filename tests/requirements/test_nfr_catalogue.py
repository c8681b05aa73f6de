"""The non-functional templates cover the six grade categories and are measurable."""

from shinrai.requirements import nfr_catalogue
from shinrai.requirements.models import AcceptanceCriterion, Requirement


def test_every_grade_category_has_templates():
    categories = {category for category, templates in nfr_catalogue.grouped() if templates}
    assert categories == set(Requirement.Category.values)


def test_templates_have_unique_codes_and_valid_criteria():
    codes = [t.code for t in nfr_catalogue.TEMPLATES]
    assert len(codes) == len(set(codes))
    for template in nfr_catalogue.TEMPLATES:
        assert template.criteria, template.code
        for values in template.criteria_values("ja") + template.criteria_values("en"):
            assert values["operator"] in AcceptanceCriterion.Operator.values
            assert values["metric"] and values["threshold"] and values["method"]


def test_lookup_by_code():
    assert nfr_catalogue.by_code("A.1.1").category == "availability"
    assert nfr_catalogue.by_code("nope") is None
