"""Optional compiled twins of per-packet framing code (Cython).

Built in place with ``python setup_speedups.py build_ext --inplace`` when Cython and a C
compiler are available. Nothing here is required: each layer imports its pure-Python reference
and only switches to a twin that imported (``PURERTC_PURE=1`` forces pure). Modules here import
no purertc layer; the layer hands the twin what it needs (its error class, cold-path helpers).
"""
