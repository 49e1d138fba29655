import pytest
from django.core.exceptions import ValidationError

from retention_schedule.periods import Period, parse_period


@pytest.mark.parametrize(
    ("text", "period", "words"),
    [
        ("P2Y", Period(years=2), "2 years"),
        ("p12m", Period(months=12), "12 months"),
        ("P30D", Period(days=30), "30 days"),
        ("P1Y6M", Period(years=1, months=6), "1 year and 6 months"),
        ("P1Y2M3D", Period(years=1, months=2, days=3), "1 year, 2 months and 3 days"),
        ("P2W", Period(weeks=2), "2 weeks"),
    ],
)
def test_periods_parse_and_read_as_english(text, period, words):
    parsed = parse_period(text)
    assert parsed == period
    assert parsed.describe() == words
    assert parse_period(parsed.iso) == parsed


@pytest.mark.parametrize("text", ["", "2 years", "P", "P1.5Y", "P-1Y", "Y2P", "P2Y junk", "PT"])
def test_malformed_periods_are_refused_with_an_example(text):
    with pytest.raises(ValidationError) as error:
        parse_period(text)
    assert "P2Y" in str(error.value)


def test_time_parts_are_refused_for_records_but_allowed_for_cookie_lifetimes():
    with pytest.raises(ValidationError, match="hours, minutes or seconds"):
        parse_period("PT3H")
    lifetime = parse_period("PT30M", allow_time=True)
    assert lifetime.iso == "PT30M"
    assert lifetime.describe() == "30 minutes"
    assert parse_period("P1DT12H", allow_time=True).describe() == "1 day and 12 hours"


def test_zero_period_is_refused():
    with pytest.raises(ValidationError, match="longer than zero"):
        parse_period("P0D")
