"""Demo and benchmark data for the whole site: each app seeds its own tables, in dependency order."""

from members.demo import DEMO_PASSWORD, DemoLogin, seed_demo_members, seed_scaled_members


def seed_demo() -> tuple[list[DemoLogin], str]:
    """The realistic demo set; safe to run again. Returns the logins to print and their password."""
    logins = seed_demo_members()
    return logins, DEMO_PASSWORD


def seed_scaled(scale: int) -> dict[str, int]:
    """Add a benchmark set of the given scale on top of what exists; returns row counts added per kind."""
    return {"members": seed_scaled_members(scale)}
