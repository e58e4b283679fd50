"""The path at a glance (issue 18): a dialogue's sessions, ideas, transfers to officials and
observed changes, drawn as one picture (server-side SVG) and told as a list, from what the
viewer may see only."""
