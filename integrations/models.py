"""What the integrations keep: identity-provider connections (their hashed tokens and audit log) and who each
directory's people and groups are here."""
