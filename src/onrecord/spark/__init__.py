"""Scale-out: the ingest's per-document work inside Apache Spark (PySpark).

``onrecord spark INPUT... --out DIR`` (or ``spark-submit`` of ``job.py``)
reads WARC, JSON Lines and Parquet inputs, runs ``ingest.runner.process_batch``
— the very function ``onrecord ingest`` runs — on the executors, and writes
the store's tables as Parquet datasets. Modules:

- ``plan``: the driver's list of input files (manifests, folders, URIs) as tasks;
- ``streams``: an executor opens a task's file (local, http(s), or a
  pyarrow filesystem: s3, gs, hdfs, abfs) and streams its records;
- ``schema``: the store's columns as Arrow and Spark types;
- ``worker``: one partition: load the pipeline once per Python worker, batch,
  process, yield Arrow record batches;
- ``job``: the driver: the Spark session, the staged run, the final tables.

pyspark (the ``onrecord[spark]`` extra) is imported only by ``job``, and only
when a job runs.
"""

from __future__ import annotations
