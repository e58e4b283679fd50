"""Raising what may leave a dialogue (its outbound level): one member of the convening team asks,
another cleared for the new level confirms; the team is told by e-mail."""
