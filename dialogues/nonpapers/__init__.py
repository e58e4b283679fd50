"""Non-papers (issue 19): the single negotiating text, its versions, and each side's caucus
comments (rule 12 of ``dialogues.confidentiality`` decides who sees them)."""
