"""View as (issue 17): a member of a dialogue's convening team sees its pages as one of its
accepted members would, showing only what both may see (``confidentiality.viewer_as``). Started
from the Roster (a confirmation page, then a POST), kept in the Django session, ended by a POST
("Stop viewing as") or by signing out. While it lasts (``middleware.ViewAsMiddleware``), only
the dialogue's reading pages answer, and only to GET: nothing can be written, downloaded or
accepted, no secret (a feed's address, a link) is shown, and every page read is audited under
the person viewing with the member viewed as."""
