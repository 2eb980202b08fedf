"""Members: users (email login), org units, profiles and expertise."""
