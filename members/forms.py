"""Forms for members."""

from django import forms


class SignupForm(forms.Form):
    """Extra sign-up fields; allauth adds email and password and calls signup()."""

    full_name = forms.CharField(
        label="Full name", max_length=150, help_text="As colleagues know you, e.g. “Ada Lovelace”."
    )

    field_order = ["full_name"]

    def signup(self, request, user) -> None:
        """allauth hook: the adapter has already stored the name; nothing more to save here."""
