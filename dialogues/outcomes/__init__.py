"""A session's notes and outcomes: recorded by the convening team and rapporteurs, each at its
own level and attribution rule, read by whoever may see it."""
