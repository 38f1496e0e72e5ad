#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_torch_checkpoint (tests/fuzz/corpus/torch_checkpoint/): small PyTorch
zip checkpoints laid out as torch.save writes them (archive/data.pkl with protocol 2, archive/data/<key>
storages aligned to 64 bytes, archive/byteorder, archive/version), made without PyTorch: the pickle
program comes from Python's own pickler with stand-ins for torch's classes, so the opcodes are exactly
those torch.save emits for a state dict. Deterministic: rerunning it gives the same bytes.

    python3 tests/fuzz/make_torch_seeds.py [OUT_DIR]
"""
import collections
import io
import os
import pickle
import struct
import sys
import types
import zipfile

# Stand-ins that pickle as torch's globals (pickle checks that module.name resolves to the object).
torch = types.ModuleType("torch")
torch_utils = types.ModuleType("torch._utils")
torch._utils = torch_utils
sys.modules["torch"] = torch
sys.modules["torch._utils"] = torch_utils
STORAGE_TYPES = {}
for name in ["FloatStorage", "HalfStorage", "BFloat16Storage", "DoubleStorage", "LongStorage", "IntStorage",
             "ShortStorage", "CharStorage", "ByteStorage", "BoolStorage"]:
    cls = type(name, (), {"__module__": "torch"})
    setattr(torch, name, cls)
    STORAGE_TYPES[name] = cls


def _rebuild_tensor_v2(*args):
    raise NotImplementedError


def _rebuild_parameter(*args):
    raise NotImplementedError


for fn in (_rebuild_tensor_v2, _rebuild_parameter):
    fn.__module__ = "torch._utils"
    fn.__qualname__ = fn.__name__
    setattr(torch_utils, fn.__name__, fn)

ITEMSIZE = {"FloatStorage": 4, "HalfStorage": 2, "BFloat16Storage": 2, "DoubleStorage": 8, "LongStorage": 8,
            "IntStorage": 4, "ShortStorage": 2, "CharStorage": 1, "ByteStorage": 1, "BoolStorage": 1}


class Storage:
    def __init__(self, key, kind, data):
        self.key, self.kind, self.data = key, kind, data
        self.numel = len(data) // ITEMSIZE[kind]


class Tensor:
    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset, self.size, self.stride = storage, offset, tuple(size), tuple(stride)

    def __reduce_ex__(self, protocol):
        return (_rebuild_tensor_v2,
                (self.storage, self.offset, self.size, self.stride, False, collections.OrderedDict()))


class Parameter:
    def __init__(self, tensor):
        self.tensor = tensor

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (self.tensor, True, collections.OrderedDict()))


class Pickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, Storage):
            return ("storage", STORAGE_TYPES[obj.kind], obj.key, "cpu", obj.numel)
        return None


def storages_of(obj, out):
    if isinstance(obj, Storage):
        out[obj.key] = obj
    elif isinstance(obj, Tensor):
        storages_of(obj.storage, out)
    elif isinstance(obj, Parameter):
        storages_of(obj.tensor, out)
    elif isinstance(obj, dict):
        for v in obj.values():
            storages_of(v, out)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            storages_of(v, out)
    return out


def checkpoint(obj, archive="archive", compress=False):
    buf = io.BytesIO()
    Pickler(buf, protocol=2).dump(obj)
    records = [("data.pkl", buf.getvalue()), ("byteorder", b"little")]
    records += [("data/" + k, s.data) for k, s in sorted(storages_of(obj, {}).items())]
    records += [("version", b"3\n")]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED) as z:
        for name, data in records:
            info = zipfile.ZipInfo(archive + "/" + name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
            if not compress:  # torch's writer pads the local header with an "FB" field so data is 64-aligned
                header = 30 + len(info.filename)
                pad = (-(out.tell() + header + 4)) % 64
                info.extra = b"FB" + struct.pack("<H", pad) + b"Z" * pad
            z.writestr(info, data)
    return out.getvalue()


def floats(*v):
    return struct.pack("<%df" % len(v), *v)


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus", "torch_checkpoint")
    os.makedirs(out_dir, exist_ok=True)
    s0 = Storage("0", "FloatStorage", floats(1, 2, 3, 4, 5, 6))
    s1 = Storage("1", "HalfStorage", struct.pack("<2e", 0.5, -2.0))

    # 1. module.state_dict(): an OrderedDict with _metadata, views of a shared storage, an int entry.
    sd = collections.OrderedDict()
    sd["conv.weight"] = Tensor(s0, 0, [2, 3], [3, 1])
    sd["conv.bias"] = Tensor(s1, 0, [2], [1])
    sd["tail_view"] = Tensor(s0, 4, [2], [1])
    sd["transposed"] = Tensor(s0, 0, [3, 2], [1, 3])
    sd["bn.num_batches_tracked"] = Tensor(Storage("2", "LongStorage", struct.pack("<q", 7)), 0, [], [])
    sd._metadata = collections.OrderedDict([("", {"version": 1}), ("bn", {"version": 2})])
    seeds = {"state_dict.pth": checkpoint(sd)}

    # 2. A training checkpoint: {"state_dict": {...}, "epoch": 3, "optimizer": {...}}, other dtypes.
    inner = {
        "w_bf16": Tensor(Storage("0", "BFloat16Storage", b"\x80\x3f\x00\x40"), 0, [2], [1]),
        "mask": Tensor(Storage("1", "BoolStorage", b"\x01\x00\x01"), 0, [3], [1]),
        "ids": Tensor(Storage("2", "IntStorage", struct.pack("<3i", 1, -2, 3)), 1, [2], [1]),
        "d": Tensor(Storage("3", "DoubleStorage", struct.pack("<d", 2.5)), 0, [1, 1], [1, 1]),
        "bytes": Tensor(Storage("4", "ByteStorage", b"\x00\xff"), 0, [2], [1]),
        "chars": Tensor(Storage("5", "CharStorage", b"\x80\x7f"), 0, [2], [1]),
        "shorts": Tensor(Storage("6", "ShortStorage", struct.pack("<2h", -1, 1)), 0, [2], [1]),
    }
    seeds["training.ckpt"] = checkpoint({"state_dict": inner, "epoch": 3, "lr": 1e-4, "name": "run",
                                         "optimizer": {"state": {}, "param_groups": [{"lr": 0.1}]}})

    # 3. nn.Parameter entries wrapped in "module", a different archive folder name, deflated records.
    p = Storage("0", "FloatStorage", floats(0.25, 0.5))
    seeds["module_params.bin"] = checkpoint({"module": {"weight": Parameter(Tensor(p, 0, [2], [1])),
                                                        "bias": Parameter(Tensor(p, 1, [1], [1]))}},
                                            archive="pytorch_model", compress=True)

    # 4. An empty state dict and a zero-size tensor.
    seeds["empty.pth"] = checkpoint(collections.OrderedDict(
        [("zero", Tensor(Storage("0", "FloatStorage", b""), 0, [0, 4], [4, 1]))]))

    for name, data in seeds.items():
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(data)
        print(f"{name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
