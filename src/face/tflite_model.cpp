// TFLite flatbuffer reader: a minimal, bounds-checked walk of schema.fbs (Model, SubGraph, Tensor,
// Operator, OperatorCode, Buffer and the options tables of the supported operators).
#include "face/tflite_model.h"

#include <cstring>
#include <fstream>

#include <flatbuffers/flexbuffers.h>

#include "auhead/error.h"

namespace auhead::face {

namespace {

// Field ids (schema.fbs declaration order; a union takes two ids: type, then value).
namespace model_f { constexpr int operator_codes = 1, subgraphs = 2, buffers = 4; }
namespace opcode_f { constexpr int deprecated_builtin_code = 0, custom_code = 1, builtin_code = 3; }
namespace subgraph_f { constexpr int tensors = 0, inputs = 1, outputs = 2, operators = 3; }
namespace tensor_f { constexpr int shape = 0, type = 1, buffer = 2, name = 3, sparsity = 6; }
namespace operator_f { constexpr int opcode_index = 0, inputs = 1, outputs = 2, options = 4, custom_options = 5; }
namespace buffer_f { constexpr int data = 0, offset = 1; }

const char* kOpNames[] = {
    "ADD", "AVERAGE_POOL_2D", "CONCATENATION", "CONV_2D", "DEPTHWISE_CONV_2D", "DEPTH_TO_SPACE",
    "DEQUANTIZE", "EMBEDDING_LOOKUP", "FLOOR", "FULLY_CONNECTED", "HASHTABLE_LOOKUP",
    "L2_NORMALIZATION", "L2_POOL_2D", "LOCAL_RESPONSE_NORMALIZATION", "LOGISTIC", "LSH_PROJECTION",
    "LSTM", "MAX_POOL_2D", "MUL", "RELU", "RELU_N1_TO_1", "RELU6", "RESHAPE", "RESIZE_BILINEAR", "RNN",
    "SOFTMAX", "SPACE_TO_DEPTH", "SVDF", "TANH", "CONCAT_EMBEDDINGS", "SKIP_GRAM", "CALL", "CUSTOM",
    "EMBEDDING_LOOKUP_SPARSE", "PAD", "UNIDIRECTIONAL_SEQUENCE_RNN", "GATHER", "BATCH_TO_SPACE_ND",
    "SPACE_TO_BATCH_ND", "TRANSPOSE", "MEAN", "SUB", "DIV", "SQUEEZE", "UNIDIRECTIONAL_SEQUENCE_LSTM",
    "STRIDED_SLICE", "BIDIRECTIONAL_SEQUENCE_RNN", "EXP", "TOPK_V2", "SPLIT", "LOG_SOFTMAX", "DELEGATE",
    "BIDIRECTIONAL_SEQUENCE_LSTM", "CAST", "PRELU", "MAXIMUM", "ARG_MAX", "MINIMUM", "LESS", "NEG",
    "PADV2", "GREATER", "GREATER_EQUAL", "LESS_EQUAL", "SELECT", "SLICE", "SIN", "TRANSPOSE_CONV"};

bool supported(int32_t code) {
  switch (static_cast<OpCode>(code)) {
    case OpCode::add: case OpCode::concatenation: case OpCode::conv_2d:
    case OpCode::depthwise_conv_2d: case OpCode::dequantize: case OpCode::logistic:
    case OpCode::max_pool_2d: case OpCode::relu: case OpCode::relu6: case OpCode::reshape:
    case OpCode::pad: case OpCode::prelu: case OpCode::average_pool_2d: case OpCode::mul:
    case OpCode::resize_bilinear: case OpCode::hard_swish: case OpCode::transpose_conv_bias:
    case OpCode::strided_slice: case OpCode::landmarks_to_transform_matrix:
    case OpCode::transform_tensor_bilinear: case OpCode::transform_landmarks:
      return true;
  }
  return false;
}

// A view of the file that checks every read against its size.
class Reader {
 public:
  Reader(const std::vector<uint8_t>& b, const std::string& file) : b_(b), file_(file) {}

  [[noreturn]] void fail(const std::string& problem) const {
    throw input_error(file_, "not a valid TFLite model: " + problem);
  }
  void need(size_t pos, size_t n, const char* what) const {
    if (pos > b_.size() || n > b_.size() - pos)
      fail(std::string("truncated (") + what + " at byte " + std::to_string(pos) + " runs past the end)");
  }
  template <class T>
  T get(size_t pos, const char* what) const {
    need(pos, sizeof(T), what);
    T v;
    std::memcpy(&v, b_.data() + pos, sizeof(T));
    return v;  // flatbuffers are little-endian, as is every platform auhead builds on
  }
  size_t size() const { return b_.size(); }

 private:
  const std::vector<uint8_t>& b_;
  const std::string& file_;
};

// A flatbuffer table: position of its start and of its vtable.
class Table {
 public:
  Table(const Reader& r, size_t pos, const char* what) : r_(&r), pos_(pos), what_(what) {
    int32_t soff = r.get<int32_t>(pos, what);
    int64_t vt = int64_t(pos) - soff;
    if (vt < 0 || size_t(vt) >= r.size()) r.fail(std::string("bad vtable offset in ") + what);
    vt_ = size_t(vt);
    vt_size_ = r.get<uint16_t>(vt_, what);
    tab_size_ = r.get<uint16_t>(vt_ + 2, what);
    if (vt_size_ < 4 || vt_size_ % 2) r.fail(std::string("bad vtable in ") + what);
    r.need(vt_, vt_size_, what);
    r.need(pos_, tab_size_, what);
  }

  // Absolute position of a field, or 0 when absent.
  size_t field(int id) const {
    size_t slot = 4 + 2 * size_t(id);
    if (slot + 2 > vt_size_) return 0;
    uint16_t off = r_->get<uint16_t>(vt_ + slot, what_);
    if (off == 0) return 0;
    if (off >= tab_size_) r_->fail(std::string("field outside its table in ") + what_);
    return pos_ + off;
  }
  template <class T>
  T scalar(int id, T def) const {
    size_t p = field(id);
    return p ? r_->get<T>(p, what_) : def;
  }
  // Position of the object a reference field points to, or 0 when absent.
  size_t ref(int id) const {
    size_t p = field(id);
    if (!p) return 0;
    return deref(*r_, p, what_);
  }
  static size_t deref(const Reader& r, size_t p, const char* what) {
    uint32_t off = r.get<uint32_t>(p, what);
    if (off == 0 || off > r.size() - p) r.fail(std::string("reference out of range in ") + what);
    return p + off;
  }
  const Reader& reader() const { return *r_; }

 private:
  const Reader* r_;
  size_t pos_, vt_ = 0;
  uint16_t vt_size_ = 0, tab_size_ = 0;
  const char* what_;
};

// A vector: length and position of its first element (elements checked to lie inside the file).
struct Vec {
  size_t pos = 0;
  uint32_t len = 0;
};
Vec vec_at(const Reader& r, size_t p, size_t elem, const char* what) {
  if (!p) return {};
  Vec v{p + 4, r.get<uint32_t>(p, what)};
  if (elem && size_t(v.len) > (r.size() - v.pos) / elem)
    r.fail(std::string("truncated (vector of ") + what + " runs past the end)");
  return v;
}
Vec vec(const Table& t, int id, size_t elem, const char* what) {
  return vec_at(t.reader(), t.ref(id), elem, what);
}
std::vector<int32_t> int_vec(const Table& t, int id, const char* what) {
  Vec v = vec(t, id, 4, what);
  std::vector<int32_t> out(v.len);
  for (uint32_t i = 0; i < v.len; ++i) out[i] = t.reader().get<int32_t>(v.pos + 4 * i, what);
  return out;
}
std::string str(const Table& t, int id) {
  Vec v = vec(t, id, 1, "string");
  std::string s(v.len, '\0');
  for (uint32_t i = 0; i < v.len; ++i) s[i] = char(t.reader().get<uint8_t>(v.pos + i, "string"));
  return s;
}
Table table_at(const Reader& r, const Vec& v, uint32_t i, const char* what) {
  return Table(r, Table::deref(r, v.pos + 4 * size_t(i), what), what);
}

void read_options(const Table& op_table, TfliteOperator& op) {
  size_t p = op_table.ref(operator_f::options);
  if (!p) return;
  Table o(op_table.reader(), p, "operator options");
  switch (op.op) {
    case OpCode::conv_2d:
      op.padding = Padding(o.scalar<int8_t>(0, 0));
      op.stride_w = o.scalar<int32_t>(1, 0);
      op.stride_h = o.scalar<int32_t>(2, 0);
      op.activation = Activation(o.scalar<int8_t>(3, 0));
      op.dilation_w = o.scalar<int32_t>(4, 1);
      op.dilation_h = o.scalar<int32_t>(5, 1);
      break;
    case OpCode::depthwise_conv_2d:
      op.padding = Padding(o.scalar<int8_t>(0, 0));
      op.stride_w = o.scalar<int32_t>(1, 0);
      op.stride_h = o.scalar<int32_t>(2, 0);
      op.depth_multiplier = o.scalar<int32_t>(3, 0);
      op.activation = Activation(o.scalar<int8_t>(4, 0));
      op.dilation_w = o.scalar<int32_t>(5, 1);
      op.dilation_h = o.scalar<int32_t>(6, 1);
      break;
    case OpCode::max_pool_2d:
    case OpCode::average_pool_2d:
      op.padding = Padding(o.scalar<int8_t>(0, 0));
      op.stride_w = o.scalar<int32_t>(1, 0);
      op.stride_h = o.scalar<int32_t>(2, 0);
      op.filter_w = o.scalar<int32_t>(3, 0);
      op.filter_h = o.scalar<int32_t>(4, 0);
      op.activation = Activation(o.scalar<int8_t>(5, 0));
      break;
    case OpCode::add:
    case OpCode::mul:
      op.activation = Activation(o.scalar<int8_t>(0, 0));
      break;
    case OpCode::resize_bilinear:
      op.align_corners = o.scalar<uint8_t>(2, 0) != 0;
      op.half_pixel_centers = o.scalar<uint8_t>(3, 0) != 0;
      break;
    case OpCode::concatenation:
      op.axis = o.scalar<int32_t>(0, 0);
      op.activation = Activation(o.scalar<int8_t>(1, 0));
      break;
    case OpCode::strided_slice:
      op.begin_mask = o.scalar<int32_t>(0, 0);
      op.end_mask = o.scalar<int32_t>(1, 0);
      op.ellipsis_mask = o.scalar<int32_t>(2, 0);
      op.new_axis_mask = o.scalar<int32_t>(3, 0);
      op.shrink_axis_mask = o.scalar<int32_t>(4, 0);
      break;
    default:
      break;
  }
}

// MediaPipe's transposed convolution keeps TfLiteTransposeConvParams raw in custom_options:
// padding (1 same, 2 valid), stride_w, stride_h, as int32s.
void read_transpose_conv_options(const Table& op_table, TfliteOperator& op) {
  Vec v = vec(op_table, operator_f::custom_options, 1, "custom options");
  if (v.len < 12) op_table.reader().fail("Convolution2DTransposeBias options hold " + std::to_string(v.len) + " bytes, not 12");
  const Reader& r = op_table.reader();
  int32_t padding = r.get<int32_t>(v.pos, "custom options");
  if (padding != 1 && padding != 2) r.fail("Convolution2DTransposeBias has padding code " + std::to_string(padding));
  op.padding = padding == 1 ? Padding::same : Padding::valid;
  op.stride_w = r.get<int32_t>(v.pos + 4, "custom options");
  op.stride_h = r.get<int32_t>(v.pos + 8, "custom options");
}

// The attention FaceMesh's custom operators keep their options in a FlexBuffer map, verified before
// it is read (flatbuffers' own verifier: offsets, sizes and nesting stay inside the bytes).
void read_flex_options(const Table& op_table, TfliteOperator& op, const char* name) {
  const Reader& r = op_table.reader();
  Vec v = vec(op_table, operator_f::custom_options, 1, "custom options");
  if (op.op == OpCode::transform_landmarks) return;  // no options
  if (v.len == 0) r.fail(std::string(name) + " has no options");
  std::vector<uint8_t> bytes(v.len);
  for (uint32_t i = 0; i < v.len; ++i) bytes[i] = r.get<uint8_t>(v.pos + i, "custom options");
  if (!flexbuffers::VerifyBuffer(bytes.data(), bytes.size()))
    r.fail(std::string(name) + " has malformed options (not a FlexBuffer)");
  auto root = flexbuffers::GetRoot(bytes.data(), bytes.size());
  if (!root.IsMap()) r.fail(std::string(name) + " options are not a map");
  auto map = root.AsMap();
  auto integer = [&](const char* key, int32_t lo, int32_t hi) {
    auto ref = map[key];
    if (!ref.IsNumeric()) r.fail(std::string(name) + " lacks the option " + key);
    int64_t x = ref.AsInt64();
    if (x < lo || x > hi)
      r.fail(std::string(name) + " option " + key + " = " + std::to_string(x) + " is outside [" + std::to_string(lo) +
             ", " + std::to_string(hi) + "]");
    return int32_t(x);
  };
  op.output_width = integer("output_width", 1, 4096);
  op.output_height = integer("output_height", 1, 4096);
  if (op.op != OpCode::landmarks_to_transform_matrix) return;
  op.left_rotation_idx = integer("left_rotation_idx", 0, 1 << 20);
  op.right_rotation_idx = integer("right_rotation_idx", 0, 1 << 20);
  auto scale = [&](const char* key) {
    auto ref = map[key];
    if (!ref.IsNumeric()) r.fail(std::string(name) + " lacks the option " + key);
    double x = ref.AsDouble();
    if (!(x > 0 && x < 1e4)) r.fail(std::string(name) + " option " + key + " is not a positive scale");
    return float(x);
  };
  op.scale_x = scale("scale_x");
  op.scale_y = scale("scale_y");
  auto subset = map["subset_idxs"];
  if (!subset.IsVector() && !subset.IsTypedVector()) r.fail(std::string(name) + " lacks the option subset_idxs");
  auto take = [&](const auto& items) {
    if (items.size() == 0 || items.size() > (1u << 16)) r.fail(std::string(name) + " has a bad subset_idxs");
    for (size_t i = 0; i < items.size(); ++i) {
      int64_t x = items[i].AsInt64();
      if (x < 0 || x > (1 << 20)) r.fail(std::string(name) + " has a subset index out of range");
      op.subset_idxs.push_back(int32_t(x));
    }
  };
  if (subset.IsTypedVector()) take(subset.AsTypedVector());
  else take(subset.AsVector());
}

}  // namespace

const char* op_name(int32_t code) {
  if (code == int32_t(OpCode::transpose_conv_bias)) return "Convolution2DTransposeBias";
  if (code == int32_t(OpCode::landmarks_to_transform_matrix)) return "Landmarks2TransformMatrix";
  if (code == int32_t(OpCode::transform_tensor_bilinear)) return "TransformTensorBilinear";
  if (code == int32_t(OpCode::transform_landmarks)) return "TransformLandmarks";
  if (code >= 0 && size_t(code) < std::size(kOpNames)) return kOpNames[code];
  return "an operator unknown to auhead";
}

TfliteModel TfliteModel::load(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw input_error(file.string(), "cannot open the model file (run scripts/setup.sh)");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw input_error(file.string(), "cannot read the model file");
  return parse(std::move(bytes), file.string());
}

TfliteModel TfliteModel::parse(std::vector<uint8_t> bytes, const std::string& file) {
  TfliteModel m;
  m.file = file;
  m.bytes = std::move(bytes);
  Reader r(m.bytes, file);
  if (m.bytes.size() < 8) r.fail("truncated (" + std::to_string(m.bytes.size()) + " bytes)");
  if (std::memcmp(m.bytes.data() + 4, "TFL3", 4) != 0)
    throw input_error(file, "not a TFLite model (the file identifier is not \"TFL3\")");
  Table model(r, Table::deref(r, 0, "root"), "model");

  // Operator codes: the effective code is the larger of the two fields (schema v3a).
  Vec codes_v = vec(model, model_f::operator_codes, 4, "operator codes");
  std::vector<int32_t> codes(codes_v.len);
  for (uint32_t i = 0; i < codes_v.len; ++i) {
    Table c = table_at(r, codes_v, i, "operator code");
    int32_t dep = c.scalar<int8_t>(opcode_f::deprecated_builtin_code, 0);
    int32_t code = c.scalar<int32_t>(opcode_f::builtin_code, 0);
    codes[i] = std::max(dep, code);
    if (codes[i] == 32 /* CUSTOM */) {
      const std::string custom = str(c, opcode_f::custom_code);
      if (custom == "Convolution2DTransposeBias") codes[i] = int32_t(OpCode::transpose_conv_bias);
      else if (custom == "Landmarks2TransformMatrix") codes[i] = int32_t(OpCode::landmarks_to_transform_matrix);
      else if (custom == "TransformTensorBilinear") codes[i] = int32_t(OpCode::transform_tensor_bilinear);
      else if (custom == "TransformLandmarks") codes[i] = int32_t(OpCode::transform_landmarks);
    }
  }

  Vec buffers = vec(model, model_f::buffers, 4, "buffers");
  Vec subgraphs = vec(model, model_f::subgraphs, 4, "subgraphs");
  if (subgraphs.len != 1)
    r.fail("expected one subgraph, found " + std::to_string(subgraphs.len));
  Table sg = table_at(r, subgraphs, 0, "subgraph");

  Vec tensors = vec(sg, subgraph_f::tensors, 4, "tensors");
  for (uint32_t i = 0; i < tensors.len; ++i) {
    Table t = table_at(r, tensors, i, "tensor");
    TfliteTensor tt;
    tt.name = str(t, tensor_f::name);
    tt.shape = int_vec(t, tensor_f::shape, "tensor shape");
    int8_t type = t.scalar<int8_t>(tensor_f::type, 0);
    if (type != 0 && type != 1 && type != 2)
      r.fail("tensor '" + tt.name + "' has an unsupported type (code " + std::to_string(type) + ")");
    tt.type = TensorType(type);
    if (t.field(tensor_f::sparsity)) r.fail("tensor '" + tt.name + "' is sparse (unsupported)");
    uint32_t buf = t.scalar<uint32_t>(tensor_f::buffer, 0);
    if (buf >= buffers.len && buf != 0)
      r.fail("tensor '" + tt.name + "' refers to buffer " + std::to_string(buf) + " of " +
             std::to_string(buffers.len));
    if (buf != 0) {
      Table b = table_at(r, buffers, buf, "buffer");
      if (b.scalar<uint64_t>(buffer_f::offset, 0) != 0)
        r.fail("buffers stored outside the flatbuffer are unsupported");
      Vec d = vec(b, buffer_f::data, 1, "buffer data");
      tt.data_offset = d.pos;
      tt.data_size = d.len;
    }
    int64_t count = 1;
    for (int32_t s : tt.shape) {
      if (s < 0 || s > (1 << 24)) r.fail("tensor '" + tt.name + "' has a bad shape");
      count *= s;
      if (count > (int64_t(1) << 31)) r.fail("tensor '" + tt.name + "' is too large");
    }
    if (tt.data_size) {
      size_t elem = tt.type == TensorType::float16 ? 2 : 4;
      if (tt.data_size != size_t(count) * elem)
        r.fail("tensor '" + tt.name + "' holds " + std::to_string(tt.data_size) +
               " bytes for its shape of " + std::to_string(count) + " elements");
    }
    m.tensors.push_back(std::move(tt));
  }
  auto check_index = [&](int32_t idx, bool optional) {
    if ((idx == -1 && optional) || (idx >= 0 && size_t(idx) < m.tensors.size())) return;
    r.fail("tensor index " + std::to_string(idx) + " out of range");
  };
  m.inputs = int_vec(sg, subgraph_f::inputs, "graph inputs");
  m.outputs = int_vec(sg, subgraph_f::outputs, "graph outputs");
  for (int32_t i : m.inputs) check_index(i, false);
  for (int32_t i : m.outputs) check_index(i, false);

  Vec ops = vec(sg, subgraph_f::operators, 4, "operators");
  for (uint32_t i = 0; i < ops.len; ++i) {
    Table o = table_at(r, ops, i, "operator");
    uint32_t ci = o.scalar<uint32_t>(operator_f::opcode_index, 0);
    if (ci >= codes.size()) r.fail("operator " + std::to_string(i) + " has a bad opcode index");
    int32_t code = codes[ci];
    if (!supported(code))
      throw input_error(file, std::string("unsupported TFLite operator ") + op_name(code) +
                                  " (builtin code " + std::to_string(code) + ") in operator " +
                                  std::to_string(i));
    TfliteOperator op;
    op.op = OpCode(code);
    op.inputs = int_vec(o, operator_f::inputs, "operator inputs");
    op.outputs = int_vec(o, operator_f::outputs, "operator outputs");
    for (int32_t t : op.inputs) check_index(t, true);
    for (int32_t t : op.outputs) check_index(t, false);
    if (op.op == OpCode::transpose_conv_bias) read_transpose_conv_options(o, op);
    else if (code >= int32_t(OpCode::landmarks_to_transform_matrix)) read_flex_options(o, op, op_name(code));
    else read_options(o, op);
    m.operators.push_back(std::move(op));
  }
  if (m.operators.empty()) r.fail("the graph has no operators");
  return m;
}

}  // namespace auhead::face
