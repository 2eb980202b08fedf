"""Calendar arithmetic every app needs the same way."""

from datetime import date


def years_from(day: date, years: int) -> date:
    """The same day `years` later (earlier when negative); 29 February becomes the 28th in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
