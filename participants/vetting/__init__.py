"""Vetting: a case for every nomination, screened against the designation lists in force
(``participants.screening``), decided by the organisation's admins with four eyes; the
designation lists' pages (importing a new version); the screening tasks."""
