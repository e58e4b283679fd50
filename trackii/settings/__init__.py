"""Settings package: ``base`` is secure by default; ``local``, ``test`` and ``production``
adjust it."""
