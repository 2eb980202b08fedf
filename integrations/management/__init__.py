"""The integrations' management commands."""
