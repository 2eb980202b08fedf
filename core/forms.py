"""Small helpers for forms that every app's views use."""

from django.core.exceptions import ValidationError
from django.forms import Form


def first_error(form: Form) -> str:
    """The first message of an invalid form, for a one-line notice (a flash message beside a table row)."""
    return next(iter(error for errors in form.errors.values() for error in errors), "please try again.")


def add_refusal(form: Form, refusal: ValidationError) -> None:
    """Put a service's refusal on the form: each message next to the field it names (`ValidationError({"end":
    …})`), the rest, and messages about a field this form does not show, above the form. Nothing reads the
    messages' words."""
    if not hasattr(refusal, "error_dict"):
        form.add_error(None, refusal)
        return
    for field, errors in refusal.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def refusal_text(refusal: ValidationError) -> str:
    """A refusal as one line, for a flash message where there is no form to put it on."""
    return " ".join(refusal.messages)
