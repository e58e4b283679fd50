"""Ideas derived from a dialogue's outcomes, their state on the way to officials, and their
follow-ups (issue 18)."""
