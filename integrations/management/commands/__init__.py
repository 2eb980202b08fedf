"""Commands: import_people (scheduled CSV imports of people)."""
