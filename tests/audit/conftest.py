# The dialogue world of the dialogues' tests: one dialogue with its people, sessions and agendas.
from tests.dialogues.conftest import world  # noqa: F401
