"""Exporters other than numpy and torch, and the corners of the protocols they use (red-team
findings): ctypes arrays (buffers without strides), a DLPack producer written in Python (whose
deleter runs Python code, so it must not run with kld's error pending), a __dlpack_device__ that
returns no tuple, torch's lazily negated views; path names with a NUL; temperatures beyond
float and given twice."""
import ctypes
import math

import numpy as np
import pytest

import kld
from conftest import needs_torch, torch


P3 = np.array([0.5, 0.3, 0.2], np.float32)
Q3 = np.array([0.6, 0.2, 0.2], np.float32)


def test_ctypes_arrays_without_strides(path):
    p, q = (ctypes.c_float * 3)(*P3), (ctypes.c_float * 3)(*Q3)
    assert kld.forward(p, q) == kld.forward(P3, Q3)
    rows_p, rows_q = ((ctypes.c_float * 3) * 2)(), ((ctypes.c_float * 3) * 2)()
    for r in range(2):
        rows_p[r][:] = list(P3)
        rows_q[r][:] = list(Q3[::-1])
    got = kld.both(rows_p, rows_q)
    want = kld.both(P3, np.ascontiguousarray(Q3[::-1]))
    assert got[0].tolist() == [want[0]] * 2 and got[1].tolist() == [want[1]] * 2


class DLDevice(ctypes.Structure):
    _fields_ = [("device_type", ctypes.c_int), ("device_id", ctypes.c_int)]


class DLDataType(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint8), ("bits", ctypes.c_uint8), ("lanes", ctypes.c_uint16)]


class DLTensor(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("device", DLDevice), ("ndim", ctypes.c_int),
                ("dtype", DLDataType), ("shape", ctypes.POINTER(ctypes.c_int64)),
                ("strides", ctypes.POINTER(ctypes.c_int64)), ("byte_offset", ctypes.c_uint64)]


class DLManagedTensor(ctypes.Structure):
    pass


DELETER = ctypes.CFUNCTYPE(None, ctypes.POINTER(DLManagedTensor))
DLManagedTensor._fields_ = [("dl_tensor", DLTensor), ("manager_ctx", ctypes.c_void_p),
                            ("deleter", DELETER)]
capsule_new = ctypes.pythonapi.PyCapsule_New
capsule_new.restype = ctypes.py_object
capsule_new.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]


class Producer:
    """A float32 CPU tensor of the given shape over data, exported through DLPack by hand; its
    deleter (Python code, through ctypes) counts its calls."""

    def __init__(self, data, shape):
        self.data, self.deleted = data, 0
        self.shape = (ctypes.c_int64 * len(shape))(*shape)
        self.managed = DLManagedTensor()
        t = self.managed.dl_tensor
        t.data, t.device, t.ndim = data.ctypes.data, DLDevice(1, 0), len(shape)
        t.dtype = DLDataType(2, 32, 1)
        t.shape = ctypes.cast(self.shape, ctypes.POINTER(ctypes.c_int64))
        self.deleter = DELETER(self.delete)
        self.managed.deleter = self.deleter

    def delete(self, managed):
        self.deleted += 1

    def __dlpack_device__(self):
        return (1, 0)

    def __dlpack__(self, stream=None):
        return capsule_new(ctypes.addressof(self.managed), b"dltensor", None)


def test_python_deleter_runs_once_and_kld_error_survives():
    p, q = Producer(P3, [3]), Producer(Q3, [3])
    assert kld.forward(p, q) == kld.forward(P3, Q3)
    assert p.deleted == 1 and q.deleted == 1
    a, b = Producer(P3, [1, 1, 3]), Producer(P3, [1, 3, 1])
    with pytest.raises(ValueError, match=r"shape \(1, 1, 3\) and q has shape \(1, 3, 1\)"):
        kld.forward(a, b)
    assert a.deleted == 1 and b.deleted == 1


def test_dlpack_device_must_be_a_tuple():
    class ListDevice(Producer):
        def __dlpack_device__(self):
            return [1, 0]
    with pytest.raises(TypeError, match="must return a tuple"):
        kld.forward(ListDevice(P3, [3]), Q3)


@needs_torch
def test_negated_torch_view_is_refused():
    t = torch.tensor(P3)
    with pytest.raises(ValueError, match="resolve_neg"):
        kld.forward(t._neg_view(), torch.tensor(Q3))
    assert kld.forward(t._neg_view().resolve_neg(), torch.tensor(Q3)) == math.inf


def test_path_names_with_nul():
    for fn in (kld.force_isa, kld.isa_supported):
        with pytest.raises(ValueError, match="unknown path"):
            fn("scalar\0x")


def test_temperature_beyond_float_and_twice():
    x = np.array([1.0, 2.0, 3.0], np.float32)
    assert math.isnan(kld.forward_logits(x, x, 10**400))
    assert math.isnan(kld.forward_logits(x, x, temperature=-10**400))
    with pytest.raises(TypeError, match="multiple values for argument 'temperature'"):
        kld.forward_logits(x, x, 1.0, temperature=2.0)
