"""``onrecord serve``: the HTTP API and the web pages, one FastAPI app over a read-only store.

- ``app``: ``create_app(db)`` builds the app (error handlers, security
  headers, static files) from the two routers;
- ``api``: the JSON API under ``/api``;
- ``pages``: the server-rendered pages (Jinja2 templates in ``templates/``,
  a little JavaScript in ``static/``);
- ``context``: what both routers share (the store, the templates, the
  extraction pipeline, the caps);
- ``view``: what the pages compute from records (highlight segments, via
  chains, timelines), free of any web framework.

FastAPI, uvicorn and Jinja2 come with the ``serve`` extra
(``pip install 'onrecord[serve]'``); nothing here is imported by ``onrecord``
or its CLI until ``onrecord serve`` runs.
"""
