"""The file to give ``spark-submit``: ``spark-submit [options] <this file> INPUT... --out DIR``.

Its path: ``python -c 'import onrecord.spark.submit as s; print(s.__file__)'``.
The arguments are those of ``onrecord spark``; the session is the one
``spark-submit`` configured (its ``--master``, executors, memory, archives).
Absolute imports only: spark-submit runs this file as a script.
"""

import sys

from onrecord.cli.main import main

if __name__ == "__main__":
    raise SystemExit(main(["spark", *sys.argv[1:]]))
