"""Quality: ``scorer`` scores records against PolNeAR gold (the one scorer, used by ``onrecord
eval``, the CI gate, ``bench/`` and ``train/``)."""
