// TFLite reader and interpreter on small models built here byte by byte: malformed files (wrong
// identifier, every truncation, corrupted bytes, unsupported operator) give clear input errors,
// and CONV_2D's asymmetric SAME padding, fp16 DEQUANTIZE and fused RELU compute as TFLite does.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstring>
#include <random>

#include "auhead/error.h"
#include "face/tflite_interpreter.h"
#include "face/tflite_model.h"

using namespace auhead;
using namespace auhead::face;

namespace {

// A forward-only flatbuffer writer: a parent is written before its children and its reference
// slots are patched once the children are placed (uoffsets always point forward).
class Fb {
 public:
  struct Field {
    int id;
    int size;          // 1, 2 or 4 bytes for scalars; 0 for a reference (patched later)
    int64_t value = 0;
  };
  std::vector<uint8_t> b;

  size_t here() const { return b.size(); }
  void align4() { while (b.size() % 4) b.push_back(0); }
  void u16(uint16_t v) { put(&v, 2); }
  void u32(uint32_t v) { put(&v, 4); }
  void put(const void* p, size_t n) {
    const uint8_t* c = static_cast<const uint8_t*>(p);
    b.insert(b.end(), c, c + n);
  }
  void patch(size_t slot, size_t target) {
    uint32_t off = uint32_t(target - slot);
    std::memcpy(b.data() + slot, &off, 4);
  }
  // Writes a table; returns the table position and the slot position of each reference field
  // (in the order given).
  size_t table(const std::vector<Field>& fields, std::vector<size_t>* ref_slots = nullptr) {
    int max_id = -1;
    for (const auto& f : fields) max_id = std::max(max_id, f.id);
    align4();
    size_t vt = here();
    size_t nslots = size_t(max_id + 1);
    size_t vt_size = 4 + 2 * nslots;
    // table layout: soffset then one 4-byte cell per field
    std::vector<uint16_t> offs(nslots, 0);
    for (size_t i = 0; i < fields.size(); ++i) offs[fields[i].id] = uint16_t(4 + 4 * i);
    u16(uint16_t(vt_size));
    u16(uint16_t(4 + 4 * fields.size()));
    for (auto o : offs) u16(o);
    align4();
    size_t tab = here();
    int32_t soff = int32_t(tab - vt);
    put(&soff, 4);
    for (const auto& f : fields) {
      if (f.size == 0 && ref_slots) ref_slots->push_back(here());
      uint32_t cell = 0;
      std::memcpy(&cell, &f.value, std::min<size_t>(4, f.size ? f.size : 4));
      if (f.size == 0) cell = 0;
      u32(cell);
    }
    return tab;
  }
  size_t int_vector(const std::vector<int32_t>& v) {
    align4();
    size_t p = here();
    u32(uint32_t(v.size()));
    for (int32_t x : v) put(&x, 4);
    return p;
  }
  size_t byte_vector(const std::vector<uint8_t>& v) {
    align4();
    size_t p = here();
    u32(uint32_t(v.size()));
    put(v.data(), v.size());
    return p;
  }
  size_t string(const std::string& s) {
    align4();
    size_t p = here();
    u32(uint32_t(s.size()));
    put(s.data(), s.size());
    b.push_back(0);
    return p;
  }
  // A vector of n table references; returns the vector position (slots follow its length).
  size_t ref_vector(size_t n) {
    align4();
    size_t p = here();
    u32(uint32_t(n));
    for (size_t i = 0; i < n; ++i) u32(0);
    return p;
  }
};

struct TensorSpec {
  std::vector<int32_t> shape;
  int type = 0;  // 0 fp32, 1 fp16
  std::string name;
  std::vector<uint8_t> data;  // empty: activation
};
struct OpSpec {
  int code;
  std::vector<int32_t> inputs, outputs;
  int options_type = 0;                     // BuiltinOptions union tag
  std::vector<Fb::Field> options;           // scalar fields of the options table
};

// Builds a one-subgraph TFLite model.
std::vector<uint8_t> build_model(const std::vector<TensorSpec>& tensors, const std::vector<OpSpec>& ops,
                                 std::vector<int32_t> inputs, std::vector<int32_t> outputs,
                                 const char* ident = "TFL3") {
  Fb fb;
  fb.u32(0);  // root offset, patched
  fb.put(ident, 4);
  std::vector<size_t> model_refs;
  size_t model = fb.table({{0, 4, 3}, {1, 0}, {2, 0}, {4, 0}}, &model_refs);
  fb.patch(0, model);
  // operator codes (one per op, in op order)
  size_t codes = fb.ref_vector(ops.size());
  fb.patch(model_refs[0], codes);
  for (size_t i = 0; i < ops.size(); ++i) {
    int dep = ops[i].code < 127 ? ops[i].code : 127;
    size_t t = fb.table({{0, 1, dep}, {2, 4, 1}, {3, 4, ops[i].code}});
    fb.patch(codes + 4 + 4 * i, t);
  }
  // subgraph
  size_t sgs = fb.ref_vector(1);
  fb.patch(model_refs[1], sgs);
  std::vector<size_t> sg_refs;
  size_t sg = fb.table({{0, 0}, {1, 0}, {2, 0}, {3, 0}}, &sg_refs);
  fb.patch(sgs + 4, sg);
  size_t tv = fb.ref_vector(tensors.size());
  fb.patch(sg_refs[0], tv);
  int next_buffer = 1;
  std::vector<int> buffer_of(tensors.size(), 0);
  for (size_t i = 0; i < tensors.size(); ++i) {
    if (!tensors[i].data.empty()) buffer_of[i] = next_buffer++;
    std::vector<size_t> refs;
    size_t t = fb.table({{0, 0}, {1, 1, tensors[i].type}, {2, 4, buffer_of[i]}, {3, 0}}, &refs);
    fb.patch(tv + 4 + 4 * i, t);
    fb.patch(refs[0], fb.int_vector(tensors[i].shape));
    fb.patch(refs[1], fb.string(tensors[i].name));
  }
  fb.patch(sg_refs[1], fb.int_vector(inputs));
  fb.patch(sg_refs[2], fb.int_vector(outputs));
  size_t ov = fb.ref_vector(ops.size());
  fb.patch(sg_refs[3], ov);
  for (size_t i = 0; i < ops.size(); ++i) {
    std::vector<Fb::Field> f = {{0, 4, int64_t(i)}, {1, 0}, {2, 0}};
    if (ops[i].options_type) {
      f.push_back({3, 1, ops[i].options_type});
      f.push_back({4, 0});
    }
    std::vector<size_t> refs;
    size_t t = fb.table(f, &refs);
    fb.patch(ov + 4 + 4 * i, t);
    fb.patch(refs[0], fb.int_vector(ops[i].inputs));
    fb.patch(refs[1], fb.int_vector(ops[i].outputs));
    if (ops[i].options_type) fb.patch(refs[2], fb.table(ops[i].options));
  }
  // buffers: 0 is the empty sentinel
  size_t bv = fb.ref_vector(size_t(next_buffer));
  fb.patch(model_refs[2], bv);
  fb.patch(bv + 4, fb.table({}));
  for (size_t i = 0; i < tensors.size(); ++i) {
    if (!buffer_of[i]) continue;
    std::vector<size_t> refs;
    size_t t = fb.table({{0, 0}}, &refs);
    fb.patch(bv + 4 + 4 * size_t(buffer_of[i]), t);
    fb.patch(refs[0], fb.byte_vector(tensors[i].data));
  }
  return fb.b;
}

template <class T>
std::vector<uint8_t> raw(const std::vector<T>& v) {
  std::vector<uint8_t> out(v.size() * sizeof(T));
  std::memcpy(out.data(), v.data(), out.size());
  return out;
}

// in[1,4,4,1] → CONV_2D(3×3, stride 2, SAME, fused RELU) with a fp16 filter through DEQUANTIZE
// and a fp32 bias → out[1,2,2,1].
std::vector<uint8_t> conv_model(int code_of_first_op = 6) {
  std::vector<uint16_t> filter_h(9, 0x3C00);  // 1.0 in fp16
  filter_h[0] = 0x3800;                       // 0.5
  std::vector<float> bias = {-1.0f};
  std::vector<TensorSpec> t = {
      {{1, 4, 4, 1}, 0, "in", {}},
      {{1, 3, 3, 1}, 1, "filter_fp16", raw(filter_h)},
      {{1, 3, 3, 1}, 0, "filter", {}},
      {{1}, 0, "bias", raw(bias)},
      {{1, 2, 2, 1}, 0, "out", {}},
  };
  std::vector<OpSpec> ops = {
      {code_of_first_op, {1}, {2}, 0, {}},
      {3, {0, 2, 3}, {4}, 1, {{0, 1, 0}, {1, 4, 2}, {2, 4, 2}, {3, 1, 1}}},  // SAME, s2, RELU
  };
  return build_model(t, ops, {0}, {4});
}

void expect_input_error(const std::vector<uint8_t>& bytes, const std::string& must_contain) {
  try {
    TfliteModel::parse(bytes, "bad.tflite");
    FAIL() << "no error; expected one mentioning '" << must_contain << "'";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::bad_input);
    std::string msg = e.what();
    EXPECT_EQ(msg.rfind("bad.tflite: ", 0), 0u) << msg;
    EXPECT_NE(msg.find(must_contain), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
}

}  // namespace

TEST(FaceTflite, ReadsAHandBuiltModel) {
  TfliteModel m = TfliteModel::parse(conv_model(), "conv.tflite");
  ASSERT_EQ(m.tensors.size(), 5u);
  ASSERT_EQ(m.operators.size(), 2u);
  EXPECT_EQ(m.operators[0].op, OpCode::dequantize);
  EXPECT_EQ(m.operators[1].op, OpCode::conv_2d);
  EXPECT_EQ(m.operators[1].stride_w, 2);
  EXPECT_EQ(m.operators[1].activation, Activation::relu);
  EXPECT_EQ(m.tensors[1].type, TensorType::float16);
  EXPECT_EQ(m.tensors[1].data_size, 18u);
  EXPECT_EQ(m.tensors[4].name, "out");
  EXPECT_EQ(m.inputs, std::vector<int32_t>{0});
}

TEST(FaceTflite, ConvSamePaddingIsAsymmetricAsInTflite) {
  TfliteInterpreter net(TfliteModel::parse(conv_model(), "conv.tflite"));
  torch::Tensor x = torch::arange(16, torch::kFloat32).reshape({1, 4, 4, 1});
  torch::Tensor y = net.run(x).at(0);
  ASSERT_EQ(y.sizes(), (std::vector<int64_t>{1, 2, 2, 1}));
  // TFLite SAME, in 4, k 3, s 2: out 2, total padding 1 → 0 before, 1 after.
  auto a = x.accessor<float, 4>();
  auto expect = [&](int oy, int ox) {
    float s = -1.0f;  // bias
    for (int ky = 0; ky < 3; ++ky)
      for (int kx = 0; kx < 3; ++kx) {
        int iy = oy * 2 + ky, ix = ox * 2 + kx;
        if (iy < 4 && ix < 4) s += a[0][iy][ix][0] * ((ky == 0 && kx == 0) ? 0.5f : 1.0f);
      }
    return std::max(s, 0.0f);
  };
  auto b = y.accessor<float, 4>();
  for (int oy = 0; oy < 2; ++oy)
    for (int ox = 0; ox < 2; ++ox) EXPECT_FLOAT_EQ(b[0][oy][ox][0], expect(oy, ox)) << oy << "," << ox;
  // Negative sums are clipped by the fused RELU.
  torch::Tensor z = net.run(torch::full({1, 4, 4, 1}, -1.0f)).at(0);
  EXPECT_EQ(z.max().item<float>(), 0.0f);
}

TEST(FaceTflite, WrongIdentifierIsNamed) {
  expect_input_error(build_model({{{1}, 0, "x", {}}}, {{19, {0}, {0}, 0, {}}}, {0}, {0}, "ABCD"), "TFL3");
  expect_input_error(std::vector<uint8_t>(64, 0), "TFL3");
}

TEST(FaceTflite, EveryTruncationIsAnInputError) {
  std::vector<uint8_t> good = conv_model();
  for (size_t n = 0; n < good.size(); ++n) {
    std::vector<uint8_t> cut(good.begin(), good.begin() + n);
    try {
      TfliteModel::parse(cut, "cut.tflite");
      ADD_FAILURE() << "truncated to " << n << " bytes parsed without error";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ExitCode::bad_input);
      EXPECT_NE(std::string(e.what()).find("cut.tflite: "), std::string::npos);
    }
  }
  std::vector<uint8_t> few(good.begin(), good.begin() + 6);
  expect_input_error(few, "truncated");
}

TEST(FaceTflite, CorruptedBytesNeverCrash) {
  std::vector<uint8_t> good = conv_model();
  std::mt19937 rng(7);
  for (int trial = 0; trial < 3000; ++trial) {
    std::vector<uint8_t> bad = good;
    int flips = 1 + int(rng() % 4);
    for (int f = 0; f < flips; ++f) bad[8 + rng() % (bad.size() - 8)] = uint8_t(rng());
    try {
      TfliteModel m = TfliteModel::parse(bad, "corrupt.tflite");
      TfliteInterpreter net(m);  // may also reject it, with an input error
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ExitCode::bad_input);
    }
  }
}

TEST(FaceTflite, UnsupportedOperatorIsNamed) {
  // MUL (builtin code 18) in place of DEQUANTIZE.
  expect_input_error(conv_model(18), "unsupported TFLite operator MUL");
  // A code beyond the table of names.
  expect_input_error(conv_model(150), "builtin code 150");
}

TEST(FaceTflite, MissingFileIsAnInputError) {
  try {
    TfliteModel::load("/nonexistent/model.tflite");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::bad_input);
    EXPECT_NE(std::string(e.what()).find("/nonexistent/model.tflite"), std::string::npos);
  }
}
