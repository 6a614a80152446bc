"""The ``purertc`` command line."""
