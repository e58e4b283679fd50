"""The planner: a dialogue's sessions (who attends, cancelling and reinstating), the working
agenda and its published versions, the agenda as a PDF, and the notices attendees get by e-mail.
For the convening team; everyone else reads what is published, as far as they may."""
