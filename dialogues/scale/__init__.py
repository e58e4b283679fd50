"""The organisation's confidentiality scale and the changes to it that take two members of staff
(the pages are the staff's: ``trackii.ops``)."""
