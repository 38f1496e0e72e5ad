#include "checkpoint/torch_checkpoint.h"

#include <caffe2/serialize/inline_container.h>
#include <torch/torch.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <unordered_map>

#include "auhead/error.h"
#include "core/input_file.h"
#include "checkpoint/mapped_file.h"
#include "checkpoint/zip_directory.h"

namespace auhead {

namespace {

// The values a state-dict pickle program builds. Anything we do not model becomes Kind::opaque, which
// is fine as long as no tensor depends on it. Values live in the unpickler's arena and refer to each
// other by plain pointers: a hostile pickle may nest a million levels deep or make a container hold
// itself, and neither may turn into a recursive destructor or a reference cycle.
struct PyValue;
using Value = PyValue*;
struct PyValue {
  enum class Kind { none, boolean, integer, floating, string, tuple, list, dict, global, tensor, storage, opaque };
  Kind kind = Kind::none;
  int64_t i = 0;
  double d = 0;
  std::string s, s2;  // string / bytes; global: module and name; opaque: what it came from
  std::vector<Value> items;                    // tuple, list
  std::vector<std::pair<Value, Value>> entries;  // dict, in insertion order
  torch::Tensor tensor;                        // tensor
  c10::Storage storage;                        // storage
  torch::ScalarType dtype = torch::kFloat;     // storage
};

bool storage_dtype(const std::string& name, torch::ScalarType& out) {
  static const std::pair<const char*, torch::ScalarType> table[] = {
      {"FloatStorage", torch::kFloat}, {"HalfStorage", torch::kHalf},   {"BFloat16Storage", torch::kBFloat16},
      {"DoubleStorage", torch::kDouble}, {"LongStorage", torch::kLong}, {"IntStorage", torch::kInt},
      {"ShortStorage", torch::kShort}, {"CharStorage", torch::kChar},   {"ByteStorage", torch::kByte},
      {"BoolStorage", torch::kBool},
  };
  for (const auto& [n, t] : table)
    if (name == n) {
      out = t;
      return true;
    }
  return false;
}

// Limits on a checkpoint's pickle program (README: Hostile input): a state dict of a large diffusion model
// builds about 30 000 values with MARK nesting below 10.
constexpr std::size_t kMaxPickleValues = 4'000'000;
constexpr std::size_t kMaxPickleMarks = 1000;
constexpr std::size_t kMaxPickleItems = 16'000'000;  // references held, all containers and the stack together

class Unpickler {
 public:
  Unpickler(std::string file, const char* data, std::size_t size, caffe2::serialize::PyTorchStreamReader& zip)
      : file_(std::move(file)), p_(data), end_(data + size), zip_(zip) {}

  Value run() {
    for (;;) {
      const uint8_t op = byte();
      switch (op) {
        case 0x80: byte(); break;        // PROTO
        case 0x95: bytes(8); break;      // FRAME
        case '.': return pop();          // STOP
        case '(':
          if (marks_.size() >= kMaxPickleMarks) fail("nests deeper than " + std::to_string(kMaxPickleMarks) + " MARKs");
          marks_.push_back(stack_.size());
          break;
        case ')': push(make(PyValue::Kind::tuple)); break;
        case ']': push(make(PyValue::Kind::list)); break;
        case '}': push(make(PyValue::Kind::dict)); break;
        case 'N': push(make(PyValue::Kind::none)); break;
        case 0x88:
        case 0x89: {
          Value v = make(PyValue::Kind::boolean);
          v->i = op == 0x88;
          push(v);
          break;
        }
        case 'J': push(make_int(static_cast<int32_t>(uint_le(4)))); break;
        case 'K': push(make_int(static_cast<int64_t>(uint_le(1)))); break;
        case 'M': push(make_int(static_cast<int64_t>(uint_le(2)))); break;
        case 0x8a: push(make_int(long_le(uint_le(1)))); break;  // LONG1
        case 0x8b: push(make_int(long_le(uint_le(4)))); break;  // LONG4
        case 'G': {
          uint64_t bits = 0;
          for (int k = 0; k < 8; ++k) bits = (bits << 8) | byte();  // big-endian
          Value v = make(PyValue::Kind::floating);
          v->d = std::bit_cast<double>(bits);
          push(v);
          break;
        }
        case 'X': push(make_string(bytes(uint_le(4)))); break;   // BINUNICODE
        case 0x8c: push(make_string(bytes(uint_le(1)))); break;  // SHORT_BINUNICODE
        case 0x8d: push(make_string(bytes(uint_le(8)))); break;  // BINUNICODE8
        case 'T': push(make_string(bytes(uint_le(4)))); break;   // BINSTRING
        case 'U': push(make_string(bytes(uint_le(1)))); break;   // SHORT_BINSTRING
        case 'B': push(make_string(bytes(uint_le(4)))); break;   // BINBYTES
        case 'C': push(make_string(bytes(uint_le(1)))); break;   // SHORT_BINBYTES
        case 'c': {                                                          // GLOBAL
          Value v = make(PyValue::Kind::global);
          v->s = line();
          v->s2 = line();
          push(v);
          break;
        }
        case 0x93: {  // STACK_GLOBAL
          Value name = pop(), module = pop();
          Value v = make(PyValue::Kind::global);
          v->s = module->s;
          v->s2 = name->s;
          push(v);
          break;
        }
        case 'q': memo_[uint_le(1)] = top(); break;
        case 'r': memo_[uint_le(4)] = top(); break;
        case 0x94: memo_[memo_.size()] = top(); break;  // MEMOIZE
        case 'h': push(memo(uint_le(1))); break;
        case 'j': push(memo(uint_le(4))); break;
        case 't': {
          Value v = make(PyValue::Kind::tuple);
          v->items = pop_to_mark();
          push(v);
          break;
        }
        case 0x85:
        case 0x86:
        case 0x87: {
          const std::size_t n = op - 0x84;
          if (stack_.size() < n) fail("stack underflow");
          Value v = make(PyValue::Kind::tuple);
          count_items(n);
          v->items.assign(stack_.end() - n, stack_.end());
          stack_.resize(stack_.size() - n);
          push(v);
          break;
        }
        case 'a': {
          Value x = pop();
          count_items(1);
          top()->items.push_back(x);
          break;
        }
        case 'e': {
          auto xs = pop_to_mark();
          auto& items = top()->items;
          count_items(xs.size());
          items.insert(items.end(), xs.begin(), xs.end());
          break;
        }
        case 's': {
          Value v = pop(), k = pop();
          set_item(top(), k, v);
          break;
        }
        case 'u': {
          auto xs = pop_to_mark();
          if (xs.size() % 2) fail("odd SETITEMS");
          for (std::size_t k = 0; k < xs.size(); k += 2) set_item(top(), xs[k], xs[k + 1]);
          break;
        }
        case '0': pop(); break;
        case '1': pop_to_mark(); break;
        case '2': push(top()); break;
        case 'b': pop(); break;  // BUILD: object state (e.g. a state dict's _metadata) is not needed
        case 'R': {
          Value args = pop(), callable = pop();
          push(reduce(callable, args));
          break;
        }
        case 0x81: {  // NEWOBJ
          Value args = pop(), cls = pop();
          push(reduce(cls, args));
          break;
        }
        case 'Q': push(persistent_load(pop())); break;
        default: {
          char buf[8];
          std::snprintf(buf, sizeof buf, "0x%02x", op);
          fail(std::string("unsupported pickle opcode ") + buf);
        }
      }
    }
  }

 private:
  Value make(PyValue::Kind k) {
    if (arena_.size() >= kMaxPickleValues)
      fail("builds more than " + std::to_string(kMaxPickleValues) + " values (not a state dict?)");
    arena_.push_back(std::make_unique<PyValue>());
    arena_.back()->kind = k;
    return arena_.back().get();
  }
  Value make_int(int64_t i) {
    Value v = make(PyValue::Kind::integer);
    v->i = i;
    return v;
  }
  Value make_string(std::string s) {
    Value v = make(PyValue::Kind::string);
    v->s = std::move(s);
    return v;
  }
  // Every reference pushed or stored in a container counts, so that DUP and memo fetches cannot grow
  // the stack or a list without bound either.
  void count_items(std::size_t n) {
    items_ += n;
    if (items_ > kMaxPickleItems) fail("holds more than " + std::to_string(kMaxPickleItems) + " references");
  }
  void push(Value v) {
    count_items(1);
    stack_.push_back(v);
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw input_error(file_, "cannot read the torch checkpoint's data.pkl: " + what);
  }
  uint8_t byte() {
    if (p_ >= end_) fail("truncated pickle");
    return static_cast<uint8_t>(*p_++);
  }
  std::string bytes(uint64_t n) {
    if (n > static_cast<uint64_t>(end_ - p_)) fail("truncated pickle");
    std::string s(p_, p_ + n);
    p_ += n;
    return s;
  }
  uint64_t uint_le(int n) {
    uint64_t v = 0;
    for (int k = 0; k < n; ++k) v |= static_cast<uint64_t>(byte()) << (8 * k);
    return v;
  }
  int64_t long_le(uint64_t n) {
    if (n > 8) fail("integer too large");
    std::string b = bytes(n);
    uint64_t v = 0;
    for (uint64_t k = 0; k < n; ++k) v |= static_cast<uint64_t>(static_cast<uint8_t>(b[k])) << (8 * k);
    if (n > 0 && n < 8 && (static_cast<uint8_t>(b[n - 1]) & 0x80)) v |= ~uint64_t(0) << (8 * n);  // sign
    return static_cast<int64_t>(v);
  }
  std::string line() {
    const char* nl = static_cast<const char*>(std::memchr(p_, '\n', end_ - p_));
    if (!nl) fail("truncated pickle");
    std::string s(p_, nl);
    p_ = nl + 1;
    return s;
  }
  Value pop() {
    if (stack_.empty() || (!marks_.empty() && stack_.size() <= marks_.back())) fail("stack underflow");
    Value v = stack_.back();
    stack_.pop_back();
    return v;
  }
  Value top() {
    if (stack_.empty()) fail("stack underflow");
    return stack_.back();
  }
  std::vector<Value> pop_to_mark() {
    if (marks_.empty()) fail("missing MARK");
    const std::size_t m = marks_.back();
    marks_.pop_back();
    if (m > stack_.size()) fail("stack underflow");
    std::vector<Value> out(stack_.begin() + m, stack_.end());
    stack_.resize(m);
    return out;
  }
  Value memo(uint64_t k) {
    auto it = memo_.find(k);
    if (it == memo_.end()) fail("unknown memo entry");
    return it->second;
  }
  void set_item(const Value& target, const Value& k, const Value& v) {
    if (target->kind != PyValue::Kind::dict) return;
    count_items(2);
    target->entries.emplace_back(k, v);
    // items set on opaque objects are irrelevant to the state dict
  }

  Value reduce(const Value& callable, const Value& args) {
    if (callable->kind != PyValue::Kind::global) {
      Value v = make(PyValue::Kind::opaque);
      v->s = "call of a non-global";
      return v;
    }
    const std::string& mod = callable->s;
    const std::string& name = callable->s2;
    const auto& a = args->items;
    if ((mod == "collections" && (name == "OrderedDict" || name == "defaultdict")) ||
        (mod == "builtins" && name == "dict") || (mod == "__builtin__" && name == "dict"))
      return make(PyValue::Kind::dict);
    if (mod == "torch._utils" && (name == "_rebuild_tensor_v2" || name == "_rebuild_tensor")) {
      if (a.size() < 4) fail(name + " with too few arguments");
      return rebuild_tensor(a[0], a[1], a[2], a[3]);
    }
    if (mod == "torch._utils" && (name == "_rebuild_parameter" || name == "_rebuild_parameter_with_state")) {
      if (a.empty() || a[0]->kind != PyValue::Kind::tensor) fail(name + " without a tensor");
      return a[0];
    }
    if (mod == "torch.jit._pickle" && name == "restore_type_tag" && !a.empty()) return a[0];  // C++ pickle_save
    Value v = make(PyValue::Kind::opaque);
    v->s = mod + "." + name;
    return v;
  }

  std::vector<int64_t> ints(const Value& v, const char* what) {
    if (v->kind != PyValue::Kind::tuple && v->kind != PyValue::Kind::list) fail(std::string(what) + " is not a tuple");
    std::vector<int64_t> out;
    for (const auto& x : v->items) {
      if (x->kind != PyValue::Kind::integer) fail(std::string(what) + " holds a non-integer");
      out.push_back(x->i);
    }
    return out;
  }

  Value rebuild_tensor(const Value& storage, const Value& offset_v, const Value& size_v, const Value& stride_v) {
    if (storage->kind != PyValue::Kind::storage) fail("tensor without storage");
    if (offset_v->kind != PyValue::Kind::integer) fail("tensor offset is not an integer");
    const int64_t offset = offset_v->i;
    const auto sizes = ints(size_v, "tensor size");
    const auto strides = ints(stride_v, "tensor stride");
    if (sizes.size() != strides.size()) fail("tensor size and stride differ in length");
    const int64_t numel = static_cast<int64_t>(storage->storage.nbytes() / c10::elementSize(storage->dtype));
    int64_t last = offset;
    bool empty = false;
    for (std::size_t k = 0; k < sizes.size(); ++k) {
      if (sizes[k] < 0 || strides[k] < 0) fail("negative tensor size or stride");
      int64_t reach = 0;
      if (sizes[k] == 0) empty = true;
      else if (__builtin_mul_overflow(sizes[k] - 1, strides[k], &reach) || __builtin_add_overflow(last, reach, &last))
        fail("tensor size and stride overflow");
    }
    if (offset < 0 || (!empty && last >= numel)) fail("tensor reaches past the end of its storage");
    // A dimension of size 1 never steps, whatever its stride says: give it the contiguous stride, so
    // that the tensor is laid out as libtorch expects (a viewed or flattened 1-element tensor with a
    // stride of 7 makes dtype views throw; fuzz finding #17).
    // A tensor holds no more elements than its storage (a stride of 0 could otherwise make a few bytes
    // claim terabytes, which the first copy would allocate).
    std::vector<int64_t> canonical(strides.begin(), strides.end());
    int64_t step = 1;
    for (std::size_t k = sizes.size(); k-- > 0;) {
      if (sizes[k] == 1) canonical[k] = step;
      if (__builtin_mul_overflow(step, std::max<int64_t>(sizes[k], 1), &step) || step > std::max<int64_t>(numel, 1))
        fail("tensor has more elements than its storage");
    }
    auto t = torch::empty({0}, torch::TensorOptions().dtype(storage->dtype));
    t.set_(storage->storage, offset, sizes, canonical);
    Value v = make(PyValue::Kind::tensor);
    v->tensor = t;
    return v;
  }

  Value persistent_load(const Value& pid) {
    const auto& a = pid->items;
    if (pid->kind != PyValue::Kind::tuple || a.size() < 5 || a[0]->kind != PyValue::Kind::string ||
        a[0]->s != "storage")
      fail("unsupported persistent id (expected a storage)");
    if (a[1]->kind != PyValue::Kind::global) fail("storage type is not a global");
    torch::ScalarType dtype;
    if (!storage_dtype(a[1]->s2, dtype)) fail("unsupported storage type " + a[1]->s + "." + a[1]->s2);
    if (a[2]->kind != PyValue::Kind::string) fail("storage key is not a string");
    if (a[4]->kind != PyValue::Kind::integer || a[4]->i < 0) fail("storage size is not an integer");
    const std::string key = a[2]->s;
    auto it = storages_.find(key);
    if (it == storages_.end()) {
      const std::string record = "data/" + key;
      if (!zip_.hasRecord(record)) fail("missing record " + record);
      auto [ptr, nbytes] = zip_.getRecord(record);
      const uint64_t need = static_cast<uint64_t>(a[4]->i) * c10::elementSize(dtype);
      if (nbytes < need)
        fail("record " + record + " has " + std::to_string(nbytes) + " bytes, storage needs " + std::to_string(need));
      c10::Storage st(c10::Storage::use_byte_size_t(), need, std::move(ptr), nullptr, false);
      it = storages_.emplace(key, st).first;
    }
    Value v = make(PyValue::Kind::storage);
    v->storage = it->second;
    v->dtype = dtype;
    return v;
  }

  std::string file_;
  const char* p_;
  const char* end_;
  caffe2::serialize::PyTorchStreamReader& zip_;
  std::vector<Value> stack_;  // grown through push() only
  std::vector<std::size_t> marks_;
  std::unordered_map<uint64_t, Value> memo_;
  std::unordered_map<std::string, c10::Storage> storages_;
  std::vector<std::unique_ptr<PyValue>> arena_;
  std::size_t items_ = 0;
};

bool is_tensor_dict(const Value& v) {
  if (v->kind != PyValue::Kind::dict) return false;
  return std::any_of(v->entries.begin(), v->entries.end(),
                     [](const auto& e) { return e.second->kind == PyValue::Kind::tensor; });
}

}  // namespace

TensorMap load_torch_checkpoint(const std::filesystem::path& file) {
  const std::string f = file.string();
  check_input_file(file);
  {
    const auto mapped = MappedFile::open(file);
    const auto* bytes = reinterpret_cast<const unsigned char*>(mapped->data());
    if (mapped->size() < 4) throw input_error(f, "truncated torch checkpoint (shorter than 4 bytes)");
    if (bytes[0] == 0x80 && bytes[1] >= 2 && bytes[1] <= 5)
      throw input_error(f, "legacy (pre-1.6, non-zip) torch.save format is not supported; "
                           "re-save it with a current PyTorch or convert it to safetensors");
    if (std::memcmp(bytes, "PK\x03\x04", 4) != 0) throw input_error(f, "not a torch zip checkpoint (no zip signature)");
    // Sizes and names are checked before miniz inflates anything.
    const auto entries = read_zip_directory(bytes, mapped->size(), f);
    // libtorch's reader throws from inside its constructor (and leaks its zip state) on an archive
    // without a folder or a readable version record: check both here first.
    if (entries.empty()) throw input_error(f, "torch zip checkpoint is empty");
    const auto slash = entries.front().name.find('/');
    if (slash == std::string::npos) throw input_error(f, "torch zip checkpoint keeps its records outside a folder");
    const std::string folder = entries.front().name.substr(0, slash + 1);
    const ZipEntry* version = nullptr;
    for (const auto& e : entries)
      if (e.name == folder + ".data/version" || (e.name == folder + "version" && !version)) version = &e;
    if (!version) throw input_error(f, "torch zip checkpoint has no version record");
    std::string v = version->uncompressed_size <= 32 ? stored_entry_bytes(bytes, mapped->size(), *version) : "";
    while (!v.empty() && (v.back() == '\n' || v.back() == '\r')) v.pop_back();
    if (v.empty() || v.size() > 4 || v.find_first_not_of("0123456789") != std::string::npos || std::stoi(v) < 1)
      throw input_error(f, "torch zip checkpoint has an unreadable version record");
  }
  std::unique_ptr<caffe2::serialize::PyTorchStreamReader> zip;
  std::tuple<at::DataPtr, size_t> pkl;
  try {
    zip = std::make_unique<caffe2::serialize::PyTorchStreamReader>(f);
    if (!zip->hasRecord("data.pkl")) throw input_error(f, "torch zip checkpoint has no data.pkl");
    if (zip->hasRecord("byteorder")) {
      auto [ptr, n] = zip->getRecord("byteorder");
      std::string order(static_cast<const char*>(ptr.get()), n);
      if (order != "little") throw input_error(f, "torch checkpoint stores " + order + "-endian data; not supported");
    }
    pkl = zip->getRecord("data.pkl");
  } catch (const c10::Error& e) {
    throw input_error(f, std::string("corrupt torch zip checkpoint: ") + e.what_without_backtrace());
  }
  Unpickler u(f, static_cast<const char*>(std::get<0>(pkl).get()), std::get<1>(pkl), *zip);  // owns the values
  Value root = nullptr;
  try {
    root = u.run();
  } catch (const c10::Error& e) {
    throw input_error(f, std::string("corrupt torch zip checkpoint: ") + e.what_without_backtrace());
  }
  if (root->kind == PyValue::Kind::dict && !is_tensor_dict(root)) {
    for (const auto& [k, v] : root->entries)
      if (k->kind == PyValue::Kind::string && (k->s == "state_dict" || k->s == "module") && is_tensor_dict(v)) {
        root = v;
        break;
      }
  }
  if (root->kind != PyValue::Kind::dict) throw input_error(f, "torch checkpoint does not hold a state dict (a dict of tensors)");
  TensorMap out;
  for (const auto& [k, v] : root->entries) {
    if (v->kind != PyValue::Kind::tensor) continue;
    if (k->kind != PyValue::Kind::string) throw input_error(f, "state dict has a key that is not a string");
    out[k->s] = v->tensor;
  }
  return out;
}

TensorMap load_state_dict_file(const std::filesystem::path& file) {
  if (file.extension() == ".safetensors") return load_safetensors(file);
  return load_torch_checkpoint(file);
}

}  // namespace auhead
