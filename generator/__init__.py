"""introchain: a static-site generator for introduction-chain case studies."""

__version__ = "0.1.0"
