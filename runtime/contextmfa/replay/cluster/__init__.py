"""Replay on a Dask cluster (``replay --cluster``): past one machine, same decisions.

source.py     the input: files, globs and fsspec URLs, cut into blocks at line ends
shuffle.py    stage 1: each block's records grouped by user partition into scratch space
bundle.py     the config shipped to workers as bytes; one Engine per worker thread
partition.py  stage 2: a partition's users evaluated in time order, counted in input order
client.py     connecting (``local:N`` or a scheduler), submitting both stages, failures
merge.py      partition results merged on the client in bounded memory

Nothing here imports Dask or fsspec until a cluster replay runs: they are the ``cluster``
extra (``pip install "contextmfa[cluster]"``), and plain replay needs neither.
"""
