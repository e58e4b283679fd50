"""The officials register of a dialogue (issue 18): the officials the programme briefs, whom
briefing packs go to. The convening team's only."""
