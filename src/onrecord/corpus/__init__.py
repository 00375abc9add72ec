"""The corpus layer: one speaker across articles, one statement across outlets.

A record says who said what in one article; this layer ties records together:

- ``names``: the key of an attribution's speaker, from what its article says
  (the resolved entity's name, its kind, its titles, an honorific);
- ``speakers``: which keys are one speaker (a surname alone joins the full name
  it can only mean), and the ``speakers`` table's rows;
- ``statements``: which attributions of one speaker report one statement (the
  same quote, an excerpt, small wording changes, an article's paraphrase of a
  quote it gives), the ``statements`` table's rows, and the word-level
  differences of a statement's wordings.

Every decision is a function of a *block* (all attributions whose speaker
shares a surname, or one organization's name; all attributions of one speaker),
never of the order articles arrived in: the store recomputes the blocks a batch
touches (``store.corpus``), Spark computes every block once (``spark.corpus``),
and both give the same ids. Pure Python on plain rows; nothing here imports
DuckDB or Spark.
"""
