"""Communities: community, membership, sponsorship, membership history, participation ledger."""
