"""Connections to the organization around CoPsite: its company directory (SCIM provisioning, CSV import), and
later the API's tokens, outgoing webhooks and chat channels. Above the domain apps: it acts only through their
services and reads through their selectors (docs/architecture.md)."""
