"""Briefing packs: the convening team requests a pack for officials outside Trackii, each copy is
rendered (a PDF) as its recipient may see the dialogue, reviewed, released, and opened through a
personal link; the register records every download."""
