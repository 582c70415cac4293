"""kld: fused, SIMD-vectorized Kullback-Leibler divergence (and entropies, Jensen-Shannon, total
variation) over numpy arrays and torch CPU tensors, read in place. See docs/python.md.

The functions are the C extension kld._kld's; this package re-exports them."""
from . import _kld
from ._kld import *  # noqa: F401,F403 (the extension's public names)

__version__ = _kld.__version__
__doc__ = _kld.__doc__
__all__ = [name for name in dir(_kld) if not name.startswith("_")]
