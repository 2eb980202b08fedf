"""People from a CSV file, for organizations without SCIM: a preview of what would change, then applied at once."""
