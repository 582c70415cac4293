# Type stubs of the package kld (the extension kld._kld's functions, re-exported). Every public
# name has a stub here: python/tests/test_package.py checks that the names match the module's.
from typing import Any, Literal, NamedTuple, Optional, Tuple, Union

import numpy as np
import numpy.typing as npt

# numpy arrays, buffer-protocol objects, __dlpack__ CPU tensors (torch): float32, float64,
# float16, bfloat16, any shape (..., n)
_Array = Any
_Reduction = Literal["none", "sum", "mean", "batchmean"]
# a float for one vector or a reduction; a float64 array of the leading shape otherwise (out=:
# out itself)
_Value = Union[float, npt.NDArray[np.float64], Any]
_Index = Union[int, npt.NDArray[np.int64]]

__version__: str
ISAS: Tuple[str, ...]

class Stats(NamedTuple):
    forward: _Value
    reverse: _Value
    entropy_p: _Value
    entropy_q: _Value
    cross_pq: _Value
    cross_qp: _Value
    sum_p: _Value
    sum_q: _Value

class LogitStats(NamedTuple):
    forward: _Value
    reverse: _Value
    entropy_p: _Value
    entropy_q: _Value
    cross_pq: _Value
    cross_qp: _Value
    sum_p: _Value
    sum_q: _Value
    lse_a: _Value
    lse_b: _Value
    argmax_a: _Index
    argmax_b: _Index

def forward(p: _Array, q: _Array, *, axis: int = -1, dim: Optional[int] = None,
            reduction: _Reduction = "none", mask: Optional[_Array] = None,
            labels: Optional[_Array] = None, ignore_index: int = -100,
            out: Optional[_Array] = None) -> _Value: ...
def reverse(p: _Array, q: _Array, *, axis: int = -1, dim: Optional[int] = None,
            reduction: _Reduction = "none", mask: Optional[_Array] = None,
            labels: Optional[_Array] = None, ignore_index: int = -100,
            out: Optional[_Array] = None) -> _Value: ...
def both(p: _Array, q: _Array, *, axis: int = -1, dim: Optional[int] = None,
         reduction: _Reduction = "none", mask: Optional[_Array] = None,
         labels: Optional[_Array] = None, ignore_index: int = -100,
         out: Optional[Tuple[_Array, _Array]] = None) -> Tuple[_Value, _Value]: ...
def stats(p: _Array, q: _Array, *, axis: int = -1, dim: Optional[int] = None) -> Stats: ...
def js(p: _Array, q: _Array, *, axis: int = -1, dim: Optional[int] = None,
       reduction: _Reduction = "none", mask: Optional[_Array] = None,
       labels: Optional[_Array] = None, ignore_index: int = -100,
       out: Optional[_Array] = None) -> _Value: ...
def tv(p: _Array, q: _Array, *, axis: int = -1, dim: Optional[int] = None,
       reduction: _Reduction = "none", mask: Optional[_Array] = None,
       labels: Optional[_Array] = None, ignore_index: int = -100,
       out: Optional[_Array] = None) -> _Value: ...
def forward_logits(a: _Array, b: _Array, temperature: float = 1.0, *, axis: int = -1,
                   dim: Optional[int] = None, reduction: _Reduction = "none",
                   mask: Optional[_Array] = None, labels: Optional[_Array] = None,
                   ignore_index: int = -100, out: Optional[_Array] = None) -> _Value: ...
def reverse_logits(a: _Array, b: _Array, temperature: float = 1.0, *, axis: int = -1,
                   dim: Optional[int] = None, reduction: _Reduction = "none",
                   mask: Optional[_Array] = None, labels: Optional[_Array] = None,
                   ignore_index: int = -100, out: Optional[_Array] = None) -> _Value: ...
def both_logits(a: _Array, b: _Array, temperature: float = 1.0, *, axis: int = -1,
                dim: Optional[int] = None, reduction: _Reduction = "none",
                mask: Optional[_Array] = None, labels: Optional[_Array] = None,
                ignore_index: int = -100,
                out: Optional[Tuple[_Array, _Array]] = None) -> Tuple[_Value, _Value]: ...
def stats_logits(a: _Array, b: _Array, temperature: float = 1.0, *, axis: int = -1,
                 dim: Optional[int] = None) -> LogitStats: ...
def js_logits(a: _Array, b: _Array, temperature: float = 1.0, *, axis: int = -1,
              dim: Optional[int] = None, reduction: _Reduction = "none",
              mask: Optional[_Array] = None, labels: Optional[_Array] = None,
              ignore_index: int = -100, out: Optional[_Array] = None) -> _Value: ...
def tv_logits(a: _Array, b: _Array, temperature: float = 1.0, *, axis: int = -1,
              dim: Optional[int] = None, reduction: _Reduction = "none",
              mask: Optional[_Array] = None, labels: Optional[_Array] = None,
              ignore_index: int = -100, out: Optional[_Array] = None) -> _Value: ...
def check(p: _Array, q: _Array, *, kind: Literal["probs", "logits"] = "probs",
          tolerance: float = 1e-3, axis: int = -1,
          dim: Optional[int] = None) -> Optional[Tuple[str, int, int, str]]: ...
def distill(student: _Array, teacher: _Array, *,
            direction: Literal["forward", "reverse", "js"] = "forward",
            temperature: float = 1.0, grad_dtype: Any = None,
            grad: Optional[_Array] = None) -> Tuple[_Value, _Array]: ...
def summarize(forward: _Array, reverse: _Array, entropy_base: _Array, entropy_new: _Array,
              top_base: _Array, top_new: _Array, *, js: Optional[_Array] = None,
              tv: Optional[_Array] = None, nll_base: Optional[_Array] = None,
              nll_new: Optional[_Array] = None,
              delta_p: Optional[_Array] = None) -> dict[str, Any]: ...
def isa() -> str: ...
def isa_supported(name: str) -> bool: ...
def force_isa(name: str) -> None: ...
