"""The ``onrecord`` command line (the only place that prints): ``main`` builds the parser and
runs a command; ``extract``, ``store``, ``spark`` and ``serve`` hold the commands."""
