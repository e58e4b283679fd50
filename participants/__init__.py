"""People and their path into a dialogue. This app never imports ``dialogues``; it refers to its
models by string, and ``dialogues`` reaches in through our services and selectors.

The core, at the root: every model (``models/``), the reads (``selectors``) and writes
(``services``) of accounts, persons and memberships. One package per feature, each using the
core and the other features only through their ``services`` and ``selectors`` (``screening``:
``runner`` and ``importers``):

- ``accounts``: signing in (allauth's adapter) and the second factor each place asks for;
- ``vetting``: cases, decisions, the designation lists' pages, nomination, screening tasks;
- ``screening``: the designation lists' importers, the name matcher, screening against the lists;
- ``invitations``: sending invitations and the invitee's way in;
- ``profile``: a person's own page (time zone, calendar address)."""
