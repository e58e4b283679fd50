"""A second web process for the tests that check what one process kept in the shared cache is
never served stale by another (tests/dialogues/test_caches_across_processes.py).

Run as ``python -m tests.web_process PORT`` from the project folder, with
``DJANGO_SETTINGS_MODULE=tests.web_settings``, ``DATABASE_URL`` (the test database of the
pytest run that started it), ``TRACKII_TEST_CACHE_URL`` (its Redis database) and
``PRIVATE_STORAGE_ROOT``. Serves Trackii's WSGI application (the whole middleware stack) on
127.0.0.1, one thread per request, until killed; the content types are read afresh for each
request, since every test makes them anew.
"""

import sys


def main(argv: list[str]) -> None:
    if len(argv) != 1 or not argv[0].isdigit():
        sys.exit("usage: python -m tests.web_process PORT")
    import django

    django.setup()
    from django.contrib.contenttypes.models import ContentType
    from django.core.servers.basehttp import WSGIServer, run
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()

    def fresh_content_types(environ, start_response):
        # Each test empties the database, content types included, and makes them again with
        # new ids: forget those of the last test (which production never needs to).
        ContentType.objects.clear_cache()
        return application(environ, start_response)

    run("127.0.0.1", int(argv[0]), fresh_content_types, threading=True, server_cls=WSGIServer)


if __name__ == "__main__":
    main(sys.argv[1:])
