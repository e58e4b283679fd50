"""People and their path into a dialogue: accounts, persons, memberships (and later vetting,
screening, invitations and ground-rule acceptance). This app never imports ``dialogues``; it
refers to its models by string, and ``dialogues`` reaches in through our selectors."""
