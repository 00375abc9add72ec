"""Accurate mode: the transformer ``tagger`` (int8 ONNX), optionally in a ``process`` of its own,
and ``combine``, which settles the tagger's spans against the parse's attributions."""
