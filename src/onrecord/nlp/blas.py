"""Matrix products of the spaCy model through numpy's BLAS instead of thinc's BLIS.

thinc's CPU backend (``NumpyOps``) multiplies matrices with the BLIS library
it bundles, single-threaded. On these machines (x86-64 with AVX-512) the
OpenBLAS that ships inside numpy's wheel does the same products about 1.6
times faster (a 3,000 x 288 by 288 x 288 product: 4.8 ms against 2.9 ms), and
the matrix products of the layers that thinc runs in Python (the token
vectors, the tagger, the NER and parser input layers) are a quarter of the
parse. ``NumpyGemmOps`` is ``NumpyOps`` with ``gemm`` through ``numpy.matmul``;
``use_numpy_gemm`` gives it to every layer of a loaded pipeline.

Same annotations: the products differ from BLIS's in the last bits at most,
and on the 84 PolNeAR dev articles (81,742 tokens) every tag, dependency,
head, entity and lemma came out identical (``tests/test_fastrules.py``
compares real articles against the stock model). The parser's transition
loop (compiled, BLIS through thinc's C interface) is unchanged.

numpy's OpenBLAS starts one thread per core; the model's products were
single-threaded under BLIS and stay so: ``use_numpy_gemm`` limits numpy's
BLAS to one thread in the process that loads the model (``threadpoolctl``),
so that N ingest workers use N cores, not N x cores. ``load_model`` applies
all this unless the stock model is asked for (``ONRECORD_STOCK_MODEL=1``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.language import Language

log = logging.getLogger(__name__)

#: environment variables that keep the BLAS libraries numpy may load to one thread; a
#: process that starts workers sets them (if unset) before the workers import numpy: a
#: worker then has no idle BLAS threads, which would slow its parse (onrecord.ingest.runner)
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _ops_class() -> type[Any]:
    import numpy
    from thinc.api import NumpyOps

    class NumpyGemmOps(NumpyOps):
        """``NumpyOps`` whose matrix product is ``numpy.matmul`` (numpy's BLAS)."""

        name = "numpy-gemm"

        def gemm(
            self,
            x: Any,
            y: Any,
            out: Any = None,
            trans1: bool = False,
            trans2: bool = False,
        ) -> Any:
            if trans1:
                x = x.T
            if trans2:
                y = y.T
            if out is None:
                return numpy.matmul(x, y)
            return numpy.matmul(x, y, out=out)

    return NumpyGemmOps


_OPS: Any = None


def numpy_gemm_ops() -> Any:
    """The shared ``NumpyGemmOps`` instance."""
    global _OPS
    if _OPS is None:
        _OPS = _ops_class()()
    return _OPS


def use_numpy_gemm(nlp: Language) -> int:
    """Route the matrix products of every layer of ``nlp`` through numpy; return how many
    layers were switched (layers on another backend, a GPU, are left alone)."""
    from thinc.api import NumpyOps

    ops = numpy_gemm_ops()
    switched = 0
    for _name, proc in nlp.pipeline:
        model = getattr(proc, "model", None)
        if model is None or not hasattr(model, "walk"):
            continue
        for node in model.walk():
            if type(node.ops) is NumpyOps:  # exactly thinc's CPU backend: nothing else
                node.ops = ops
                switched += 1
    if switched:
        single_thread_blas()
    return switched


def single_thread_blas() -> None:
    """Limit numpy's BLAS to one thread in this process (the parse's products were
    single-threaded under BLIS; workers get a core each)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # a declared dependency; without it the products may use threads
        log.info("threadpoolctl is not installed: numpy's BLAS keeps its threads")
        return
    threadpool_limits(limits=1, user_api="blas")
