"""The faster model (rule components, numpy's BLAS) gives the stock model's annotations,
token for token."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import EXAMPLES, POLNEAR, need_shared

#: our own text with the model's rarer rule patterns: contractions the ruler gives
#: lemmas to (ai n't, gon na, got ta, let 's, 'em, nothin', y' all, c'm on), an
#: expletive "there is", aux/det dependencies, runs of white space
EDGE = (
    "I ain't gonna sign it, y'all, and we gotta leave. Let's go, c'mon.\n\n  \n"
    "There were nothin' but rumours about 'em, the mayor said. It's been done.\n"
    "\t The  council  had  voted; that was that.   Those who'd objected got nowhere.\n"
    "\"We'll see,\" she added. Something's odd -- everyone knows it.\n"
)


def _annotations(doc):  # type: ignore[no-untyped-def]
    return [
        (t.text, t.tag_, t.pos_, str(t.morph), t.lemma_, t.dep_, t.head.i, t.ent_iob_, t.ent_type_)
        for t in doc
    ]


@pytest.fixture(scope="module")
def stock():  # type: ignore[no-untyped-def]
    from onrecord.nlp.model import load_model

    return load_model(stock=True)


def _texts() -> list[str]:
    texts = [EDGE, "", "   ", "Said."]
    texts += [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.txt"))]
    return texts


def test_the_default_model_uses_the_fast_components(nlp, stock) -> None:  # type: ignore[no-untyped-def]
    assert "fast_attribute_ruler" in nlp.pipe_names
    assert "fast_lemmatizer" in nlp.pipe_names
    assert "attribute_ruler" not in nlp.pipe_names  # disabled, kept for delegation
    assert "attribute_ruler" in stock.pipe_names
    assert "fast_attribute_ruler" not in stock.pipe_names


def test_same_annotations_as_the_stock_model(nlp, stock) -> None:  # type: ignore[no-untyped-def]
    texts = _texts()
    fast_docs = list(nlp.pipe(texts, batch_size=4))
    stock_docs = list(stock.pipe(texts, batch_size=4))
    compared = 0
    for fast, ref in zip(fast_docs, stock_docs, strict=True):
        assert _annotations(fast) == _annotations(ref)
        compared += len(ref)
    assert compared > 500
    edge = dict((t.text, t.lemma_) for t in fast_docs[0])
    assert edge["ai"] == "be" and edge["gon"] == "go"  # the multi-token patterns did fire


@pytest.mark.shared
def test_same_annotations_on_real_articles(nlp, stock) -> None:  # type: ignore[no-untyped-def]
    folder: Path = need_shared(POLNEAR / "dev" / "text")
    texts = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))[:12]]
    for fast, ref in zip(nlp.pipe(texts), stock.pipe(texts), strict=True):
        assert _annotations(fast) == _annotations(ref)


def test_a_pattern_it_cannot_reproduce_keeps_spacys_component() -> None:
    import spacy

    from onrecord.nlp.fastrules import speed_up

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add([[{"LOWER": "x", "OP": "+"}]], {"TAG": "NN"})  # a quantifier: not indexed
    assert speed_up(nlp) == []
    assert nlp.pipe_names == ["attribute_ruler"]
    ruler.add([[{"LENGTH": 3}]], {"TAG": "NN"})
    assert speed_up(nlp) == []


def test_stock_model_environment_variables(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from onrecord.nlp.model import stock_rules

    monkeypatch.delenv("ONRECORD_STOCK_RULES", raising=False)
    monkeypatch.setenv("ONRECORD_STOCK_MODEL", "1")
    assert stock_rules()
    monkeypatch.setenv("ONRECORD_STOCK_MODEL", "0")
    assert not stock_rules()
    monkeypatch.setenv("ONRECORD_STOCK_RULES", "1")  # the earlier name
    assert stock_rules()


def test_the_default_model_multiplies_with_numpy(nlp, stock) -> None:  # type: ignore[no-untyped-def]
    from thinc.api import NumpyOps

    def backends(model):  # type: ignore[no-untyped-def]
        layers = [getattr(p, "model", None) for _, p in model.pipeline]
        layers = [layer for layer in layers if hasattr(layer, "walk")]
        return {type(node.ops).__name__ for layer in layers for node in layer.walk()}

    assert backends(nlp) == {"NumpyGemmOps"}
    assert backends(stock) == {NumpyOps.__name__}


def test_numpy_products_equal_blis_products() -> None:
    import numpy
    from thinc.api import NumpyOps

    from onrecord.nlp.blas import numpy_gemm_ops

    rng = numpy.random.default_rng(7)
    x = rng.standard_normal((300, 96), dtype=numpy.float32)
    y = rng.standard_normal((288, 96), dtype=numpy.float32)
    blis, ours = NumpyOps(), numpy_gemm_ops()
    want = blis.gemm(x, y, trans2=True)
    numpy.testing.assert_allclose(ours.gemm(x, y, trans2=True), want, rtol=1e-4, atol=1e-4)
    out = numpy.zeros_like(want)
    assert ours.gemm(x, y, out=out, trans2=True) is out
    numpy.testing.assert_allclose(out, want, rtol=1e-4, atol=1e-4)
    numpy.testing.assert_allclose(
        ours.gemm(x.T.copy(), y.T.copy(), trans1=True),
        blis.gemm(x, y.T.copy()),
        rtol=1e-4,
        atol=1e-4,
    )


def test_loading_the_model_keeps_numpy_blas_to_one_thread(nlp) -> None:  # type: ignore[no-untyped-def]
    from threadpoolctl import threadpool_info

    blas = [i for i in threadpool_info() if i["user_api"] == "blas"]
    assert blas and all(i["num_threads"] == 1 for i in blas)
