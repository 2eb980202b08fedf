"""Small helpers for forms that every app's views use."""

from django.forms import Form


def first_error(form: Form) -> str:
    """The first message of an invalid form, for a one-line notice (a flash message beside a table row)."""
    return next(iter(error for errors in form.errors.values() for error in errors), "please try again.")
