"""The per-document stages, in pipeline order.

``clean`` (with its data, ``boilerplate``) -> [spaCy annotates] -> ``quotes`` and
``attribute`` (with ``cue_features`` and the word lists of ``lexicon``) -> ``resolve`` ->
``date``; ``language`` is the ingest's English check.
"""
