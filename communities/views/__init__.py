"""Views of communities, split by who uses them: browse (everyone), membership (one's own), manage
(coordinators), staff."""
