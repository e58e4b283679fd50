"""Invitations: sending them (asked by the dialogue's roster, which decides who may) and the
invitee's way in: the link, a code sent to the invited address, then the account and the answer."""
