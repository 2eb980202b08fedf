"""Template tags of communities, for pages of other apps that show communities data."""
