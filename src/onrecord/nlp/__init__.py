"""The spaCy pipeline: ``model`` loads it (the one place), ``fastrules`` and ``blas`` make it
faster with the same annotations, ``component`` registers onrecord as a spaCy component."""
