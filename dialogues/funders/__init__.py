"""Reports for funders (issue 18): the convening team asks for an account of the dialogue at a
level no higher than its outbound level; the worker renders it, as someone outside the
programme at that level would see the dialogue, into a PDF and a CSV of counts (any count below
five shown as "<5"), and the team downloads them."""
