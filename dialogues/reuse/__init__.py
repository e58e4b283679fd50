"""Reuse (issue 17): an earlier round's agenda copied onto a new one, and agenda templates saved
per dialogue. See ``dialogues.reuse.selectors`` for what a viewer may copy or keep, and
``dialogues.reuse.drafts`` for how times move from one venue's days to another's."""
