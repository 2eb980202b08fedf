"""allauth adapters: who may sign up, and what a new account gets."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django import forms
from django.conf import settings
from django.http import HttpRequest

from members.services import email_domain_allowed, profile_ensure


class AccountAdapter(DefaultAccountAdapter):
    """Restricts sign-up to the organization's email domains and gives every new user a profile."""

    def clean_email(self, email: str) -> str:
        email = super().clean_email(email).lower()
        if not email_domain_allowed(email):
            domains = ", ".join(f"@{domain}" for domain in settings.SIGNUP_EMAIL_DOMAINS)
            raise forms.ValidationError(f"Only addresses ending in {domains} may sign up.")
        return email

    def save_user(self, request: HttpRequest, user, form, commit: bool = True):
        user = super().save_user(request, user, form, commit=False)
        user.full_name = form.cleaned_data.get("full_name", "").strip() or user.email.split("@")[0]
        if commit:
            user.save()
            profile_ensure(user=user)
        return user


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Fills the full name from the identity provider and applies the same domain rule."""

    def is_open_for_signup(self, request: HttpRequest, sociallogin) -> bool:
        email = (sociallogin.user.email or "").lower()
        return bool(email) and email_domain_allowed(email)

    def populate_user(self, request: HttpRequest, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        name = data.get("name") or " ".join(filter(None, [data.get("first_name"), data.get("last_name")]))
        user.full_name = name.strip() or (user.email or "").split("@")[0]
        return user

    def save_user(self, request: HttpRequest, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form)
        profile_ensure(user=user)
        return user
