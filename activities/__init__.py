"""Activities: the community calendar, RSVPs and attendance; discussions and replies."""
