"""The discussions room of activities: threads and replies, accepted answers, mentions, follows and
moderation. It imports nothing from the calendar room."""
