// TFLite reader and interpreter on small models built here byte by byte: malformed files (wrong
// identifier, every truncation, corrupted bytes, unsupported operator) give clear input errors,
// and CONV_2D's asymmetric SAME padding, fp16 DEQUANTIZE and fused RELU compute as TFLite does, as
// do the selfie segmentation model's operators (AVERAGE_POOL_2D, HARD_SWISH, broadcast MUL,
// RESIZE_BILINEAR in its three coordinate modes, MediaPipe's Convolution2DTransposeBias), each
// checked against TFLite's reference formula written out here.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include <flatbuffers/flexbuffers.h>

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
  std::string custom = {};                  // code 32 (CUSTOM): the custom operator's name
  std::vector<uint8_t> custom_options = {}; // and its raw options
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
    if (ops[i].custom.empty()) {
      size_t t = fb.table({{0, 1, dep}, {2, 4, 1}, {3, 4, ops[i].code}});
      fb.patch(codes + 4 + 4 * i, t);
    } else {
      std::vector<size_t> refs;
      size_t t = fb.table({{0, 1, dep}, {1, 0}, {2, 4, 1}, {3, 4, ops[i].code}}, &refs);
      fb.patch(codes + 4 + 4 * i, t);
      fb.patch(refs[0], fb.string(ops[i].custom));
    }
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
    if (!ops[i].custom_options.empty()) f.push_back({5, 0});
    std::vector<size_t> refs;
    size_t t = fb.table(f, &refs);
    fb.patch(ov + 4 + 4 * i, t);
    fb.patch(refs[0], fb.int_vector(ops[i].inputs));
    fb.patch(refs[1], fb.int_vector(ops[i].outputs));
    size_t next = 2;
    if (ops[i].options_type) fb.patch(refs[next++], fb.table(ops[i].options));
    if (!ops[i].custom_options.empty()) fb.patch(refs[next], fb.byte_vector(ops[i].custom_options));
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
  // SOFTMAX (builtin code 25) in place of DEQUANTIZE.
  expect_input_error(conv_model(25), "unsupported TFLite operator SOFTMAX");
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

namespace {

// A random fp32 tensor's bytes and the same values as a tensor (NHWC).
struct Random {
  torch::Tensor t;
  std::vector<uint8_t> bytes;
};
Random random_tensor(std::vector<int64_t> shape, uint64_t seed) {
  torch::manual_seed(seed);
  torch::Tensor t = torch::randn(shape);
  std::vector<float> v(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
  return {t, raw(v)};
}

float hard_swish(float x) { return x * std::clamp(x + 3.f, 0.f, 6.f) / 6.f; }

}  // namespace

// in[1,4,6,3] → AVERAGE_POOL_2D (2×3, stride 2×3, VALID) → HARD_SWISH → MUL with the input's own
// global average (1×1×1×3, broadcast; a squeeze-and-excite gate) … written as two graph outputs.
TEST(FaceTflite, AveragePoolHardSwishAndBroadcastMulFollowTflite) {
  std::vector<TensorSpec> t = {
      {{1, 4, 6, 3}, 0, "in", {}},   {{1, 2, 2, 3}, 0, "pooled", {}}, {{1, 2, 2, 3}, 0, "act", {}},
      {{1, 1, 1, 3}, 0, "global", {}}, {{1, 2, 2, 3}, 0, "gated", {}},
  };
  std::vector<OpSpec> ops = {
      {1, {0}, {1}, 5, {{0, 1, 1}, {1, 4, 3}, {2, 4, 2}, {3, 4, 3}, {4, 4, 2}}},  // VALID, s 3×2, f 3×2
      {117, {1}, {2}, 0, {}},
      {1, {0}, {3}, 5, {{0, 1, 1}, {1, 4, 6}, {2, 4, 4}, {3, 4, 6}, {4, 4, 4}}},  // global 4×6
      {18, {2, 3}, {4}, 0, {}},
  };
  TfliteInterpreter net(TfliteModel::parse(build_model(t, ops, {0}, {2, 4}), "se.tflite"));
  torch::manual_seed(2);
  torch::Tensor x = torch::randn({1, 4, 6, 3});
  auto out = net.run(x);
  auto a = x.accessor<float, 4>();
  auto act = out.at(0).accessor<float, 4>();
  auto gated = out.at(1).accessor<float, 4>();
  for (int c = 0; c < 3; ++c) {
    float global = 0;
    for (int y = 0; y < 4; ++y)
      for (int xx = 0; xx < 6; ++xx) global += a[0][y][xx][c] / 24.f;
    for (int oy = 0; oy < 2; ++oy)
      for (int ox = 0; ox < 2; ++ox) {
        float m = 0;
        for (int ky = 0; ky < 2; ++ky)
          for (int kx = 0; kx < 3; ++kx) m += a[0][oy * 2 + ky][ox * 3 + kx][c] / 6.f;
        EXPECT_NEAR(act[0][oy][ox][c], hard_swish(m), 1e-5f);
        EXPECT_NEAR(gated[0][oy][ox][c], hard_swish(m) * global, 1e-5f);
      }
  }
}

// SAME average pooling averages over the cells inside the input only, as TFLite does.
TEST(FaceTflite, AveragePoolSameIgnoresPadding) {
  std::vector<TensorSpec> t = {{{1, 3, 3, 1}, 0, "in", {}}, {{1, 3, 3, 1}, 0, "out", {}}};
  std::vector<OpSpec> ops = {{1, {0}, {1}, 5, {{0, 1, 0}, {1, 4, 1}, {2, 4, 1}, {3, 4, 3}, {4, 4, 3}}}};
  TfliteInterpreter net(TfliteModel::parse(build_model(t, ops, {0}, {1}), "pool.tflite"));
  torch::Tensor y = net.run(torch::ones({1, 3, 3, 1})).at(0);
  EXPECT_NEAR((y - 1).abs().max().item<float>(), 0.f, 1e-6f);  // corners average 4 ones, not 4/9
}

// RESIZE_BILINEAR 3×4 → 5×7 in TFLite's three coordinate modes (legacy, align_corners,
// half_pixel_centers), against the reference kernel's formula.
TEST(FaceTflite, ResizeBilinearFollowsTfliteInEveryMode) {
  Random in = random_tensor({1, 3, 4, 2}, 3);
  std::vector<int32_t> size = {5, 7};
  for (int mode = 0; mode < 3; ++mode) {
    const bool align = mode == 1, half = mode == 2;
    std::vector<TensorSpec> t = {{{1, 3, 4, 2}, 0, "in", {}}, {{2}, 2, "size", raw(size)}, {{1, 5, 7, 2}, 0, "out", {}}};
    std::vector<OpSpec> ops = {{23, {0, 1}, {2}, 15, {{2, 1, align}, {3, 1, half}}}};
    TfliteInterpreter net(TfliteModel::parse(build_model(t, ops, {0}, {2}), "resize.tflite"));
    torch::Tensor y = net.run(in.t).at(0);
    ASSERT_EQ(y.sizes(), (std::vector<int64_t>{1, 5, 7, 2}));
    auto a = in.t.accessor<float, 4>();
    auto b = y.accessor<float, 4>();
    auto source = [&](int o, int n_in, int n_out, int& i0, int& i1, float& w) {
      float scale = align ? float(n_in - 1) / float(n_out - 1) : float(n_in) / float(n_out);
      float p = half ? (o + 0.5f) * scale - 0.5f : o * scale;
      int lo = int(std::floor(p));
      w = p - float(lo);
      i0 = std::max(lo, 0);
      i1 = std::min(lo + 1, n_in - 1);
      i0 = std::min(i0, n_in - 1);
    };
    for (int oy = 0; oy < 5; ++oy)
      for (int ox = 0; ox < 7; ++ox)
        for (int c = 0; c < 2; ++c) {
          int y0, y1, x0, x1;
          float wy, wx;
          source(oy, 3, 5, y0, y1, wy);
          source(ox, 4, 7, x0, x1, wx);
          float top = a[0][y0][x0][c] * (1 - wx) + a[0][y0][x1][c] * wx;
          float bottom = a[0][y1][x0][c] * (1 - wx) + a[0][y1][x1][c] * wx;
          EXPECT_NEAR(b[0][oy][ox][c], top * (1 - wy) + bottom * wy, 1e-5f) << "mode " << mode;
        }
  }
}

// MediaPipe's Convolution2DTransposeBias (custom options {padding SAME, stride 2, stride 2}), 3×3
// kernel on 2×3×2 → 4×6×3: every output cell is the bias plus the input cells whose stride-2
// placement of the kernel covers it, with TFLite's SAME offset (total padding 1: 0 before).
TEST(FaceTflite, TransposeConvBiasFollowsMediapipe) {
  Random in = random_tensor({1, 2, 3, 2}, 5), w = random_tensor({3, 3, 3, 2}, 6), bias = random_tensor({3}, 7);
  std::vector<int32_t> params = {1, 2, 2};  // padding SAME, stride_w, stride_h
  std::vector<TensorSpec> t = {{{1, 2, 3, 2}, 0, "in", {}}, {{3, 3, 3, 2}, 0, "w", w.bytes}, {{3}, 0, "b", bias.bytes},
                               {{1, 4, 6, 3}, 0, "out", {}}};
  OpSpec op{32, {0, 1, 2}, {3}, 0, {}, "Convolution2DTransposeBias", raw(params)};
  auto bytes = build_model(t, {op}, {0}, {3});
  TfliteModel m = TfliteModel::parse(bytes, "up.tflite");
  ASSERT_EQ(m.operators.at(0).op, OpCode::transpose_conv_bias);
  TfliteInterpreter net(m);
  torch::Tensor y = net.run(in.t).at(0);
  ASSERT_EQ(y.sizes(), (std::vector<int64_t>{1, 4, 6, 3}));
  auto a = in.t.accessor<float, 4>();
  auto k = w.t.accessor<float, 4>();
  auto b = y.accessor<float, 4>();
  const int pad_before = ((2 - 1) * 2 + 3 - 4) / 2;  // 0 (rows); columns: ((3-1)*2+3-6)/2 = 0
  for (int oy = 0; oy < 4; ++oy)
    for (int ox = 0; ox < 6; ++ox)
      for (int o = 0; o < 3; ++o) {
        float s = bias.t[o].item<float>();
        for (int iy = 0; iy < 2; ++iy)
          for (int ix = 0; ix < 3; ++ix)
            for (int ky = 0; ky < 3; ++ky)
              for (int kx = 0; kx < 3; ++kx)
                if (iy * 2 + ky - pad_before == oy && ix * 2 + kx - pad_before == ox)
                  for (int i = 0; i < 2; ++i) s += a[0][iy][ix][i] * k[o][ky][kx][i];
        EXPECT_NEAR(b[0][oy][ox][o], s, 1e-4f) << oy << "," << ox << "," << o;
      }
  // Short or nonsensical custom options are input errors naming the operator.
  op.custom_options = raw(std::vector<int32_t>{7, 2, 2});
  expect_input_error(build_model(t, {op}, {0}, {3}), "Convolution2DTransposeBias has padding code 7");
  op.custom_options = {1, 0, 0, 0};
  expect_input_error(build_model(t, {op}, {0}, {3}), "options hold 4 bytes");
}

// The attention FaceMesh's operators (issue #13): MediaPipe's custom ops follow the formulas of their
// version-2 kernels, STRIDED_SLICE follows TFLite, and malformed FlexBuffer options are input errors.
namespace {

std::vector<uint8_t> flex_options(int out_w, int out_h, bool matrix_options = false) {
  flexbuffers::Builder fbb;
  fbb.Map([&]() {
    fbb.Int("output_width", out_w);
    fbb.Int("output_height", out_h);
    if (matrix_options) {
      fbb.Int("left_rotation_idx", 0);
      fbb.Int("right_rotation_idx", 1);
      fbb.Float("scale_x", 1.5f);
      fbb.Float("scale_y", 1.5f);
      fbb.TypedVector("subset_idxs", [&]() {
        for (int i = 0; i < 4; ++i) fbb.Int(i);
      });
    }
  });
  fbb.Finish();
  return fbb.GetBuffer();
}

std::vector<uint8_t> matrix_bytes(const std::vector<float>& rows) {  // two rows given, the rest identity
  std::vector<float> m = {rows[0], rows[1], 0, rows[2], rows[3], rows[4], 0, rows[5], 0, 0, 1, 0, 0, 0, 0, 1};
  return raw(m);
}

}  // namespace

TEST(FaceTflite, TransformLandmarksMapsXYAndKeepsZ) {
  const std::vector<float> rows = {0.8f, -0.3f, 5.f, 0.2f, 1.1f, -2.f};
  std::vector<TensorSpec> t = {{{1, 5, 3}, 0, "lm", {}}, {{1, 4, 4}, 0, "mat", matrix_bytes(rows)}, {{1, 5, 3}, 0, "out", {}}};
  OpSpec op{32, {0, 1}, {2}, 0, {}, "TransformLandmarks", {}};
  TfliteInterpreter net(TfliteModel::parse(build_model(t, {op}, {0}, {2}), "tl.tflite"));
  Random in = random_tensor({1, 5, 3}, 11);
  torch::Tensor y = net.run(in.t).at(0);
  auto a = in.t.accessor<float, 3>();
  auto b = y.accessor<float, 3>();
  for (int i = 0; i < 5; ++i) {
    EXPECT_NEAR(b[0][i][0], rows[0] * a[0][i][0] + rows[1] * a[0][i][1] + rows[2], 1e-5f);
    EXPECT_NEAR(b[0][i][1], rows[3] * a[0][i][0] + rows[4] * a[0][i][1] + rows[5], 1e-5f);
    EXPECT_EQ(b[0][i][2], a[0][i][2]);
  }
}

TEST(FaceTflite, TransformTensorBilinearFollowsMediapipeV2) {
  // A rotation and a shift, so that some output pixels fall outside the map (they read 0).
  const std::vector<float> rows = {0.9f, -0.4f, 0.7f, 0.4f, 0.9f, -0.6f};
  std::vector<TensorSpec> t = {{{1, 4, 5, 2}, 0, "in", {}}, {{1, 4, 4}, 0, "mat", matrix_bytes(rows)}, {{1, 3, 6, 2}, 0, "out", {}}};
  OpSpec op{32, {0, 1}, {2}, 0, {}, "TransformTensorBilinear", flex_options(6, 3)};
  TfliteInterpreter net(TfliteModel::parse(build_model(t, {op}, {0}, {2}), "ttb.tflite"));
  Random in = random_tensor({1, 4, 5, 2}, 12);
  torch::Tensor y = net.run(in.t).at(0);
  ASSERT_EQ(y.sizes(), (std::vector<int64_t>{1, 3, 6, 2}));
  auto a = in.t.accessor<float, 4>();
  auto b = y.accessor<float, 4>();
  auto read = [&](int h, int w, int c) { return h < 0 || w < 0 || h >= 4 || w >= 5 ? 0.f : a[0][h][w][c]; };
  const float t3 = rows[2] + 0.5f * rows[0] + 0.5f * rows[1] - 0.5f, t7 = rows[5] + 0.5f * rows[3] + 0.5f * rows[4] - 0.5f;
  int inside = 0;
  for (int oy = 0; oy < 3; ++oy)
    for (int ox = 0; ox < 6; ++ox) {
      const float x = rows[0] * float(ox) + rows[1] * float(oy) + t3, yy = rows[3] * float(ox) + rows[4] * float(oy) + t7;
      const bool out = x < 0 || x > 4 || yy < 0 || yy > 3;
      inside += !out;
      for (int c = 0; c < 2; ++c) {
        float expect = 0;
        if (!out) {
          const int x0 = int(std::floor(x)), y0 = int(std::floor(yy));
          const float fx = x - float(x0), fy = yy - float(y0);
          expect = (1 - fy) * ((1 - fx) * read(y0, x0, c) + fx * read(y0, x0 + 1, c)) +
                   fy * ((1 - fx) * read(y0 + 1, x0, c) + fx * read(y0 + 1, x0 + 1, c));
        }
        EXPECT_NEAR(b[0][oy][ox][c], expect, 1e-5f) << oy << "," << ox << "," << c;
      }
    }
  EXPECT_GT(inside, 6);
  EXPECT_LT(inside, 18);
}

TEST(FaceTflite, Landmarks2TransformMatrixCropsTheRotatedSubset) {
  // Four points on a square of side 2 turned by 30 degrees, centred at (10, 20): the crop is aligned
  // with point 0 -> 1 and spans 1.5 x the square.
  std::vector<TensorSpec> t = {{{1, 4, 3}, 0, "lm", {}}, {{1, 4, 4}, 0, "mat", {}}};
  OpSpec op{32, {0}, {1}, 0, {}, "Landmarks2TransformMatrix", flex_options(8, 8, true)};
  TfliteInterpreter net(TfliteModel::parse(build_model(t, {op}, {0}, {1}), "l2tm.tflite"));
  const float r = float(M_PI / 6), ux = std::cos(r), uy = std::sin(r), vx = -uy, vy = ux;
  const float corners[4][2] = {{-1, -1}, {1, -1}, {1, 1}, {-1, 1}};
  torch::Tensor lm = torch::zeros({1, 4, 3});
  for (int i = 0; i < 4; ++i) {
    lm[0][i][0] = 10 + corners[i][0] * ux + corners[i][1] * vx;
    lm[0][i][1] = 20 + corners[i][0] * uy + corners[i][1] * vy;
  }
  torch::Tensor m = net.run(lm).at(0).reshape({4, 4}).contiguous();
  auto M = m.accessor<float, 2>();
  auto map = [&](float x, float y) {
    return std::pair<float, float>{M[0][0] * x + M[0][1] * y + M[0][3], M[1][0] * x + M[1][1] * y + M[1][3]};
  };
  auto [cx, cy] = map(4, 4);  // the crop's centre (8 x 8) -> the square's centre
  EXPECT_NEAR(cx, 10, 1e-4);
  EXPECT_NEAR(cy, 20, 1e-4);
  auto [ex, ey] = map(8, 4);  // the middle of the crop's right edge: 1.5 x 1 along u from the centre
  EXPECT_NEAR(ex, 10 + 1.5f * ux, 1e-4);
  EXPECT_NEAR(ey, 20 + 1.5f * uy, 1e-4);
  auto [bx, by] = map(4, 8);  // the middle of the bottom edge: along v
  EXPECT_NEAR(bx, 10 + 1.5f * vx, 1e-4);
  EXPECT_NEAR(by, 20 + 1.5f * vy, 1e-4);
}

TEST(FaceTflite, StridedSliceFollowsTflite) {
  // [1,1,1,8] -> begin [0,0,0,2], end [0,1,1,6] (end mask on axis 0), shrink axes 1 and 2 -> [1,4].
  std::vector<TensorSpec> t = {{{1, 1, 1, 8}, 0, "in", {}},
                               {{4}, 2, "begin", raw(std::vector<int32_t>{0, 0, 0, 2})},
                               {{4}, 2, "end", raw(std::vector<int32_t>{0, 1, 1, 6})},
                               {{4}, 2, "strides", raw(std::vector<int32_t>{1, 1, 1, 1})},
                               {{1, 4}, 0, "out", {}}};
  OpSpec op{45, {0, 1, 2, 3}, {4}, 32, {{0, 4, 0}, {1, 4, 1}, {2, 4, 0}, {3, 4, 0}, {4, 4, 6}}};
  TfliteInterpreter net(TfliteModel::parse(build_model(t, {op}, {0}, {4}), "slice.tflite"));
  torch::Tensor x = torch::arange(8, torch::kFloat32).reshape({1, 1, 1, 8});
  torch::Tensor y = net.run(x).at(0);
  ASSERT_EQ(y.sizes(), (std::vector<int64_t>{1, 4}));
  for (int i = 0; i < 4; ++i) EXPECT_EQ(y[0][i].item<float>(), float(i + 2));
}

TEST(FaceTflite, MalformedCustomOptionsAreInputErrors) {
  std::vector<TensorSpec> t = {{{1, 4, 5, 2}, 0, "in", {}}, {{1, 4, 4}, 0, "mat", matrix_bytes({1, 0, 0, 0, 1, 0})},
                               {{1, 3, 6, 2}, 0, "out", {}}};
  OpSpec op{32, {0, 1}, {2}, 0, {}, "TransformTensorBilinear", {1, 2, 3, 4, 5}};
  expect_input_error(build_model(t, {op}, {0}, {2}), "TransformTensorBilinear has malformed options");
  op.custom_options = flex_options(0, 3);
  expect_input_error(build_model(t, {op}, {0}, {2}), "option output_width = 0 is outside");
  OpSpec l2tm{32, {0}, {1}, 0, {}, "Landmarks2TransformMatrix", flex_options(8, 8)};  // no rotation options
  std::vector<TensorSpec> t2 = {{{1, 4, 3}, 0, "lm", {}}, {{1, 4, 4}, 0, "mat", {}}};
  expect_input_error(build_model(t2, {l2tm}, {0}, {1}), "Landmarks2TransformMatrix lacks the option left_rotation_idx");
}

// Fuzz seeds with the attention mesh's custom operators (tests/fuzz/corpus/tflite/attention_*.tflite):
// AUHEAD_WRITE_FUZZ_SEEDS=DIR ./build/auhead_tests --gtest_filter=FaceTflite.WritesFuzzSeeds
// writes them; without it the test is skipped.
TEST(FaceTflite, WritesFuzzSeeds) {
  const char* dir = std::getenv("AUHEAD_WRITE_FUZZ_SEEDS");
  if (!dir) GTEST_SKIP() << "set AUHEAD_WRITE_FUZZ_SEEDS=DIR to write the seeds";
  // Constant landmarks -> crop matrix -> the crop of the input feature map, and the landmarks mapped.
  const std::vector<float> lm = {1.f, 1.f, 0.f, 6.f, 2.f, 0.f, 5.f, 7.f, 0.f, 1.5f, 6.f, 0.f};
  std::vector<TensorSpec> t = {{{1, 8, 8, 2}, 0, "features", {}},     {{1, 4, 3}, 0, "lm", raw(lm)},
                               {{1, 4, 4}, 0, "mat", {}},             {{1, 4, 4, 2}, 0, "crop", {}},
                               {{1, 4, 3}, 0, "mapped", {}}};
  std::vector<OpSpec> ops = {{32, {1}, {2}, 0, {}, "Landmarks2TransformMatrix", flex_options(4, 4, true)},
                             {32, {0, 2}, {3}, 0, {}, "TransformTensorBilinear", flex_options(4, 4)},
                             {32, {1, 2}, {4}, 0, {}, "TransformLandmarks", {}}};
  const std::vector<uint8_t> chain = build_model(t, ops, {0}, {3, 4});
  TfliteInterpreter check(TfliteModel::parse(chain, "chain.tflite"));  // the seed must run
  const auto out = check.run(torch::rand({1, 8, 8, 2}));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].sizes(), (std::vector<int64_t>{1, 4, 4, 2}));
  std::vector<TensorSpec> s = {{{1, 1, 1, 8}, 0, "in", {}},
                               {{4}, 2, "begin", raw(std::vector<int32_t>{0, 0, 0, 2})},
                               {{4}, 2, "end", raw(std::vector<int32_t>{0, 1, 1, 6})},
                               {{4}, 2, "strides", raw(std::vector<int32_t>{1, 1, 1, 1})},
                               {{1, 4}, 0, "out", {}}};
  OpSpec slice{45, {0, 1, 2, 3}, {4}, 32, {{0, 4, 0}, {1, 4, 1}, {2, 4, 0}, {3, 4, 0}, {4, 4, 6}}};
  const std::vector<uint8_t> sliced = build_model(s, {slice}, {0}, {4});
  for (const auto& [name, bytes] : {std::pair{"attention_custom_ops.tflite", &chain},
                                    std::pair{"attention_strided_slice.tflite", &sliced}}) {
    std::ofstream out(std::filesystem::path(dir) / name, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes->data()), std::streamsize(bytes->size()));
    ASSERT_TRUE(bool(out)) << name;
  }
}
