"""SCIM 2.0 (RFC 7643 / RFC 7644) service provider: the company directory provisions people and org units."""
