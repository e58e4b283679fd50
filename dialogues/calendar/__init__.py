"""The personal calendar feed: each person's sessions as iCalendar, within the outbound rule.
Its public surface is ``feeds.calendar_for`` (the planner's notices attach the same entries)."""
