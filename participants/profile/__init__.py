"""A person's own account page: their time zone, and the secret address of their calendar feed
(renewed here; the feed itself is served by ``dialogues``, which finds the account through
``participants.profile.selectors``)."""
