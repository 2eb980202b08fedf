"""The staff's form for a new directory connection."""

from django import forms

from integrations.models import DirectoryConnection


class ConnectionForm(forms.Form):
    name = forms.CharField(
        max_length=80,
        help_text="Shown on the profiles of the people it keeps, e.g. “Entra ID” or “Okta”.",
    )
    org_unit_source = forms.ChoiceField(
        label="Org unit from",
        choices=DirectoryConnection.OrgUnitSource.choices,
        initial=DirectoryConnection.OrgUnitSource.DEPARTMENT,
        help_text="Which attribute the identity provider sends makes a person's org unit.",
    )
