import pytest


@pytest.fixture(params=["csv", "xlsx"])
def fmt(request):
    """Every hand-worked case runs from a CSV folder and from a workbook: both must agree."""
    return request.param
