"""The per-document stages, in pipeline order.

``clean`` (with its data, ``boilerplate``) -> [spaCy annotates] -> ``quotes`` and
``attribute`` (with ``cue_features`` and the word lists of ``lexicon``) -> ``check`` (drops or
marks down what is not an attribution) -> ``resolve`` -> ``date`` -> ``addressee`` (to whom and
where, with the word lists of ``addressee_words``); ``language`` is the ingest's English check.
"""
