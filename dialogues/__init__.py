"""Dialogue content: confidentiality levels, dialogues, sides, sessions, attendance and agenda
items (later documents, notes and briefing packs), and the one module that decides who may see
them (``dialogues.confidentiality``)."""
