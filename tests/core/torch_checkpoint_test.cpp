#include <caffe2/serialize/inline_container.h>
#include <gtest/gtest.h>
#include <torch/csrc/jit/serialization/pickle.h>
#include <torch/torch.h>

#include <sys/stat.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "auhead/error.h"
#include "checkpoint/torch_checkpoint.h"

namespace fs = std::filesystem;
using namespace auhead;

namespace {

fs::path temp_dir() {
  fs::path dir = fs::temp_directory_path() / ("auhead_ckpt_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

// Emits pickle protocol-2 opcodes the way Python's pickler does for torch.save(module.state_dict()).
struct Pickle {
  std::string b;
  int memo = 0;
  Pickle& op(char c) { b.push_back(c); return *this; }
  Pickle& put() { b.push_back('q'); b.push_back(static_cast<char>(memo++)); return *this; }
  Pickle& get(int k) { b.push_back('h'); b.push_back(static_cast<char>(k)); return *this; }
  Pickle& global(const std::string& m, const std::string& n) { b += "c" + m + "\n" + n + "\n"; return put(); }
  Pickle& str(const std::string& s) {
    b.push_back('X');
    uint32_t n = static_cast<uint32_t>(s.size());
    b.append(reinterpret_cast<const char*>(&n), 4);
    b += s;
    return put();
  }
  Pickle& int1(int v) { b.push_back('K'); b.push_back(static_cast<char>(v)); return *this; }
  // A tensor as torch's persistent_id + _rebuild_tensor_v2 writes it.
  // The first tensor writes the _rebuild_tensor_v2 global, later ones fetch it from the memo.
  Pickle& tensor(int& rebuild_memo, int od_memo, const std::string& storage_type, const std::string& key,
                 int numel, int offset, std::vector<int> size, std::vector<int> stride) {
    if (rebuild_memo < 0) {
      rebuild_memo = memo;
      global("torch._utils", "_rebuild_tensor_v2");
    } else {
      get(rebuild_memo);
    }
    op('(');
    op('(').str("storage").global("torch", storage_type).str(key).str("cpu").int1(numel).op('t').put().op('Q');
    int1(offset);
    op('(');
    for (int s : size) int1(s);
    op('t').put();
    op('(');
    for (int s : stride) int1(s);
    op('t').put();
    op('\x89');                                  // requires_grad False
    get(od_memo).op(')').op('R').put();          // backward hooks: OrderedDict()
    return op('t').put().op('R').put();
  }
};

void write_zip(const fs::path& p, const std::string& pkl, const std::map<std::string, std::string>& data) {
  caffe2::serialize::PyTorchStreamWriter w(p.string());
  w.writeRecord("data.pkl", pkl.data(), pkl.size());
  w.writeRecord("byteorder", "little", 6);
  for (const auto& [k, v] : data) w.writeRecord("data/" + k, v.data(), v.size());
  w.writeRecord("version", "3\n", 2);
  w.writeEndOfFile();
}

template <typename T>
std::string raw(const std::vector<T>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

fs::path python_style_checkpoint() {
  Pickle p;
  p.op('\x80').op('\x02');
  p.global("collections", "OrderedDict");  // memo 0
  p.op(')').op('R').put();                 // the state dict, memo 1
  p.op('(');
  p.str("conv.weight");
  int rebuild = -1;
  p.tensor(rebuild, 0, "FloatStorage", "0", 6, 0, {2, 3}, {3, 1});
  p.str("conv.bias");
  p.tensor(rebuild, 0, "HalfStorage", "1", 2, 0, {2}, {1});
  p.str("tail_view");
  p.tensor(rebuild, 0, "FloatStorage", "0", 6, 4, {2}, {1});
  p.str("transposed");
  p.tensor(rebuild, 0, "FloatStorage", "0", 6, 0, {3, 2}, {1, 3});
  p.str("num_batches_tracked");
  p.op('J');
  int32_t seven = 7;
  p.b.append(reinterpret_cast<const char*>(&seven), 4);
  p.op('u');
  // state: {'_metadata': OrderedDict([('', {'version': 1})])}
  p.op('}').put().str("_metadata").get(0).op(')').op('R').put().str("").op('}').put().str("version").int1(1).op('s').op('s').op('s');
  p.op('b').op('.');
  std::vector<float> w = {1, 2, 3, 4, 5, 6};
  std::vector<at::Half> bias = {at::Half(0.5f), at::Half(-2.f)};
  fs::path file = temp_dir() / "archive.pth";
  write_zip(file, p.b, {{"0", raw(w)}, {"1", raw(bias)}});
  return file;
}

std::string error_of(const fs::path& p) {
  try {
    load_torch_checkpoint(p);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::bad_input);
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Checkpoint, ReadsPythonStyleStateDictZip) {
  TensorMap sd = load_torch_checkpoint(python_style_checkpoint());
  ASSERT_EQ(sd.size(), 4u);  // the integer entry is skipped
  EXPECT_TRUE(torch::equal(sd["conv.weight"], torch::tensor({1.f, 2.f, 3.f, 4.f, 5.f, 6.f}).view({2, 3})));
  EXPECT_EQ(sd["conv.bias"].scalar_type(), torch::kHalf);
  EXPECT_TRUE(torch::equal(sd["conv.bias"].to(torch::kFloat), torch::tensor({0.5f, -2.f})));
  EXPECT_TRUE(torch::equal(sd["tail_view"], torch::tensor({5.f, 6.f})));
  EXPECT_TRUE(torch::equal(sd["transposed"], sd["conv.weight"].t()));
}

// libtorch's own loader cannot read such a file: its 1.13 unpickler replaces OrderedDict by None.
TEST(Checkpoint, LibtorchPickleLoadFailsOnPythonStateDicts) {
  fs::path p = python_style_checkpoint();
  std::ifstream in(p, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_ANY_THROW(torch::pickle_load(bytes));
}

// What torch::pickle_save writes (a c10::Dict) round-trips through torch::pickle_load; our reader
// takes the same files when they are zips.
TEST(Checkpoint, LibtorchPickleSaveRoundTrip) {
  c10::Dict<std::string, at::Tensor> d;
  d.insert("a", torch::arange(4, torch::kFloat));
  std::vector<char> bytes = torch::pickle_save(d);
  auto back = torch::pickle_load(bytes).toGenericDict();
  EXPECT_TRUE(torch::equal(back.at("a").toTensor(), torch::arange(4, torch::kFloat)));
  fs::path p = temp_dir() / "cpp.pt";
  std::ofstream(p, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (bytes.size() >= 4 && std::memcmp(bytes.data(), "PK\x03\x04", 4) == 0) {
    TensorMap sd = load_torch_checkpoint(p);
    EXPECT_TRUE(torch::equal(sd.at("a"), torch::arange(4, torch::kFloat)));
  } else {
    EXPECT_NE(error_of(p).find("legacy"), std::string::npos) << error_of(p);
  }
}

TEST(Checkpoint, MalformedFilesNameFileAndProblem) {
  fs::path dir = temp_dir();
  EXPECT_EQ(error_of(dir / "missing.pth"), (dir / "missing.pth").string() + ": no such file");
  std::ofstream(dir / "text.pth") << "hello world";
  EXPECT_NE(error_of(dir / "text.pth").find("not a torch zip checkpoint"), std::string::npos);
  std::ofstream(dir / "legacy.pth") << "\x80\x02\x8a\x0a";
  EXPECT_NE(error_of(dir / "legacy.pth").find("legacy"), std::string::npos);
  // A zip whose tensor record is shorter than its storage.
  {
    fs::path good = python_style_checkpoint();
    Pickle p;
    p.op('\x80').op('\x02').global("collections", "OrderedDict").op(')').op('R').put().op('(').str("w");
    int rebuild = -1;
    p.tensor(rebuild, 0, "FloatStorage", "0", 100, 0, {100}, {1});
    p.op('u').op('.');
    write_zip(dir / "short.pth", p.b, {{"0", std::string(8, '\0')}});
    EXPECT_NE(error_of(dir / "short.pth").find("storage needs 400"), std::string::npos) << error_of(dir / "short.pth");
    // A truncated archive.
    std::ifstream in(good, std::ios::binary);
    std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream(dir / "cut.pth", std::ios::binary) << all.substr(0, all.size() / 2);
    std::string msg = error_of(dir / "cut.pth");
    EXPECT_EQ(msg.rfind((dir / "cut.pth").string() + ": ", 0), 0u) << msg;
  }
}

// Hostile pickles (issue #17): nesting that once overflowed the stack, self-reference, mark nesting and
// value counts beyond the limits all end as one-line input errors, without a crash or a leak.
TEST(Checkpoint, HostilePicklesAreRefusedNotCrashed) {
  fs::path dir = temp_dir();
  const auto write = [&](const std::string& name, const std::string& pkl) {
    write_zip(dir / name, pkl, {});
    return dir / name;
  };
  // A tuple nested two million levels deep (N, then TUPLE1 over and over): no state dict, no overflow.
  std::string deep = "\x80\x02N" + std::string(2'000'000, '\x85') + ".";
  EXPECT_NE(error_of(write("deep.pth", deep)).find("does not hold a state dict"), std::string::npos);
  // Lists appended into each other a million times, the innermost first.
  std::string chain = "\x80\x02" + std::string(1'000'000, ']') + std::string(999'999, 'a') + ".";
  EXPECT_NE(error_of(write("chain.pth", chain)).find("does not hold a state dict"), std::string::npos);
  // A dict that holds itself.
  std::string self = std::string("\x80\x02}q\x00", 5) + std::string("X\x01\x00\x00\x00kh\x00s.", 11);
  EXPECT_TRUE(load_torch_checkpoint(write("self.pth", self)).empty());
  // MARK nesting and value counts beyond the limits.
  std::string marks = "\x80\x02" + std::string(5000, '(') + ".";
  EXPECT_NE(error_of(write("marks.pth", marks)).find("nests deeper than 1000 MARKs"), std::string::npos);
  std::string many = "\x80\x02" + std::string(4'100'000, 'N') + ".";
  EXPECT_NE(error_of(write("many.pth", many)).find("builds more than 4000000 values"), std::string::npos);
  // DUP doubles nothing but references: bounded too.
  std::string dups = "\x80\x02N" + std::string(17'000'000, '2') + ".";
  EXPECT_NE(error_of(write("dups.pth", dups)).find("references"), std::string::npos);
  fs::remove_all(dir);
}

TEST(Checkpoint, NonRegularFilesAreRefusedWithoutBlocking) {
  fs::path dir = temp_dir();
  const fs::path fifo = dir / "pipe.pth";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(error_of(fifo), fifo.string() + ": is not a regular file (a FIFO, socket or device)");
  EXPECT_EQ(error_of("/dev/zero"), "/dev/zero: is not a regular file (a FIFO, socket or device)");
  fs::remove_all(dir);
}
