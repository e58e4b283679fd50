"""The demo: the invented organisation ``seed_demo`` builds (``seed``), the large one for the load
test (``demo_scale``), and the short block it prints (``demo_summary``)."""
