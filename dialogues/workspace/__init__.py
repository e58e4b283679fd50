"""The workspace: opening a dialogue and editing it, its sides, its roster and the invitations
sent from it, and the room at a glance. For the dialogue's convening team."""
