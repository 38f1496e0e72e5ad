// TFLite graph → libtorch ops. Activations live as NCHW tensors when 4-D (the model's NHWC axes are
// remapped: PAD, CONCATENATION, RESHAPE); everything else keeps the model's layout.
#include "face/tflite_interpreter.h"

#include <torch/torch.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>

#include "auhead/error.h"

namespace auhead::face {

namespace {

// fp16 → fp32 (IEEE 754 half, including subnormals, infinities and NaN).
float half_to_float(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1f;
  uint32_t mant = h & 0x3ff;
  uint32_t bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {  // subnormal: normalise
      int e = -1;
      do { ++e; mant <<= 1; } while (!(mant & 0x400));
      bits = sign | uint32_t(127 - 15 - e) << 23 | (mant & 0x3ff) << 13;
    }
  } else if (exp == 31) {
    bits = sign | 0x7f800000u | mant << 13;
  } else {
    bits = sign | (exp + 127 - 15) << 23 | mant << 13;
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

std::vector<int64_t> dims(const std::vector<int32_t>& s) { return {s.begin(), s.end()}; }

// TFLite's padding rule for one spatial axis: output size and (before, after) padding.
struct AxisPad {
  int64_t out, before, after;
};
AxisPad axis_pad(Padding p, int64_t in, int64_t k, int64_t stride, int64_t dil) {
  int64_t ek = (k - 1) * dil + 1;
  if (p == Padding::valid) return {(in - ek + stride) / stride, 0, 0};
  int64_t out = (in + stride - 1) / stride;
  int64_t total = std::max<int64_t>((out - 1) * stride + ek - in, 0);
  return {out, total / 2, total - total / 2};
}

int nchw_axis(int nhwc_axis) {
  static const int map[4] = {0, 2, 3, 1};
  return map[nhwc_axis];
}

struct Step {
  TfliteOperator op;
  torch::Tensor weight, bias;        // conv / depthwise; prelu alpha in weight
  std::vector<int64_t> pre_pad;       // constant_pad_nd pads applied before conv/pool (may be empty)
  double pre_pad_value = 0;
  std::vector<int64_t> conv_pad{0, 0};
  int64_t groups = 1;
  std::vector<int64_t> pad;           // PAD: torch pad list
  std::vector<int64_t> out_shape;     // RESHAPE: target shape
  int concat_axis = 0;
  // RESIZE_BILINEAR: per output row / column the two source indices and the second one's weight.
  torch::Tensor y0, y1, wy, x0, x1, wx;
  std::vector<int64_t> crop;          // transposed convolution: rows, then columns kept [begin, end)
  // STRIDED_SLICE: per axis of the model layout [start, stop) by step; the axes dropped, highest first.
  std::vector<std::array<int64_t, 3>> slices;
  std::vector<int64_t> shrink_axes;
  int64_t points = 0;                 // Landmarks2TransformMatrix / TransformLandmarks: points in the input
};

// Landmarks2TransformMatrix (MediaPipe, version 2): the 4×4 matrix taking a pixel of an output_width ×
// output_height crop to input coordinates. The crop is aligned with the line from the left to the
// right rotation landmark and spans the bounding box of the subset landmarks (in that rotated frame),
// scaled by scale_x, scale_y.
torch::Tensor landmarks_to_transform_matrix(const torch::Tensor& landmarks, const TfliteOperator& op) {
  auto lm = landmarks.reshape({-1, landmarks.size(-1)}).to(torch::kFloat32).contiguous();
  auto a = lm.accessor<float, 2>();
  float dx = a[op.right_rotation_idx][0] - a[op.left_rotation_idx][0];
  float dy = a[op.right_rotation_idx][1] - a[op.left_rotation_idx][1];
  float len = std::sqrt(dx * dx + dy * dy);
  if (!(len > 1e-12f)) dx = 1, dy = 0, len = 1;
  const float ux = dx / len, uy = dy / len, vx = -uy, vy = ux;
  float min_u = 1e30f, max_u = -1e30f, min_v = 1e30f, max_v = -1e30f;
  for (int32_t i : op.subset_idxs) {
    float pu = a[i][0] * ux + a[i][1] * uy, pv = a[i][0] * vx + a[i][1] * vy;
    min_u = std::min(min_u, pu), max_u = std::max(max_u, pu), min_v = std::min(min_v, pv), max_v = std::max(max_v, pv);
  }
  const float cu = 0.5f * (min_u + max_u), cv = 0.5f * (min_v + max_v);
  const float cx = cu * ux + cv * vx, cy = cu * uy + cv * vy;  // the centre, back in input coordinates
  const float sx = op.scale_x * (max_u - min_u) / float(op.output_width);
  const float sy = op.scale_y * (max_v - min_v) / float(op.output_height);
  const float tx = cx - 0.5f * float(op.output_width) * sx * ux - 0.5f * float(op.output_height) * sy * vx;
  const float ty = cy - 0.5f * float(op.output_width) * sx * uy - 0.5f * float(op.output_height) * sy * vy;
  auto m = torch::zeros({1, 4, 4}, torch::kFloat32);
  auto w = m.accessor<float, 3>();
  w[0][0][0] = sx * ux, w[0][0][1] = sy * vx, w[0][0][3] = tx;
  w[0][1][0] = sx * uy, w[0][1][1] = sy * vy, w[0][1][3] = ty;
  w[0][2][2] = 1, w[0][3][3] = 1;
  return m;
}

// TransformTensorBilinear (version 2): each output pixel reads the input feature map (NCHW here) at
// the matrix's image of it, with MediaPipe's half-pixel correction; positions outside the map give 0.
torch::Tensor transform_tensor_bilinear(const torch::Tensor& features, const torch::Tensor& matrix, int64_t out_h,
                                        int64_t out_w) {
  auto m = matrix.reshape({-1}).to(torch::kFloat32).contiguous();
  auto a = m.accessor<float, 1>();
  const float m0 = a[0], m1 = a[1], m3 = a[3] + 0.5f * a[0] + 0.5f * a[1] - 0.5f;
  const float m4 = a[4], m5 = a[5], m7 = a[7] + 0.5f * a[4] + 0.5f * a[5] - 0.5f;
  const int64_t h = features.size(2), w = features.size(3);
  auto ox = torch::arange(out_w, torch::kFloat32).view({1, out_w}).expand({out_h, out_w});
  auto oy = torch::arange(out_h, torch::kFloat32).view({out_h, 1}).expand({out_h, out_w});
  auto x = ox * m0 + oy * m1 + m3, y = ox * m4 + oy * m5 + m7;
  auto inside = (x >= 0) & (x <= float(w - 1)) & (y >= 0) & (y <= float(h - 1));
  // grid_sample with align_corners: -1 and 1 are the centres of the first and last pixels.
  auto gx = w > 1 ? x * (2.f / float(w - 1)) - 1 : torch::zeros_like(x);
  auto gy = h > 1 ? y * (2.f / float(h - 1)) - 1 : torch::zeros_like(y);
  auto grid = torch::stack({gx, gy}, -1).unsqueeze(0).expand({features.size(0), out_h, out_w, 2});
  auto out = torch::grid_sampler(features.contiguous(), grid, /*bilinear*/ 0, /*zeros*/ 0, /*align_corners=*/true);
  return out * inside.to(torch::kFloat32).view({1, 1, out_h, out_w});
}

// TransformLandmarks (version 2): x, y through the matrix's first two rows; z (if any) kept.
torch::Tensor transform_landmarks(const torch::Tensor& landmarks, const torch::Tensor& matrix) {
  auto m = matrix.reshape({-1}).to(torch::kFloat32);
  auto x = landmarks.select(-1, 0), y = landmarks.select(-1, 1);
  auto out = landmarks.clone();
  out.select(-1, 0).copy_(x * m[0] + y * m[1] + m[3]);
  out.select(-1, 1).copy_(x * m[4] + y * m[5] + m[7]);
  return out;
}

// TFLite's bilinear source positions for one axis (reference ResizeBilinear): the two neighbours
// of each output cell's position in the input and the weight of the second.
void resize_axis(int64_t in, int64_t out, bool align_corners, bool half_pixel, torch::Tensor& i0,
                 torch::Tensor& i1, torch::Tensor& w) {
  const double scale = align_corners && out > 1 ? double(in - 1) / double(out - 1) : double(in) / double(out);
  i0 = torch::empty({out}, torch::kInt64);
  i1 = torch::empty({out}, torch::kInt64);
  w = torch::empty({out}, torch::kFloat32);
  for (int64_t o = 0; o < out; ++o) {
    double pos = half_pixel ? (double(o) + 0.5) * scale - 0.5 : double(o) * scale;
    double fl = std::floor(pos);
    i0[o] = std::clamp<int64_t>(int64_t(fl), 0, in - 1);
    i1[o] = std::clamp<int64_t>(int64_t(fl) + 1, 0, in - 1);
    w[o] = float(pos - fl);
  }
}

}  // namespace

struct TfliteInterpreter::Impl {
  std::string file;
  std::vector<int32_t> input_shape;
  int32_t input = 0;
  std::vector<int32_t> outputs;
  std::vector<bool> nchw;                 // per tensor: stored as NCHW (4-D activations)
  std::vector<torch::Tensor> constants;   // per tensor: defined for constants (fp32, model layout)
  std::vector<Step> steps;
  size_t n_tensors = 0;
  std::vector<std::vector<int32_t>> declared;  // per tensor: the shape the model declares

  std::vector<torch::Tensor> run(const torch::Tensor& input, bool check_shapes) const;

  [[noreturn]] void fail(const std::string& problem) const {
    throw input_error(file, "cannot run this TFLite model: " + problem);
  }
};

TfliteInterpreter::TfliteInterpreter(const TfliteModel& m) : impl_(std::make_unique<Impl>()) {
  Impl& I = *impl_;
  I.file = m.file;
  I.n_tensors = m.tensors.size();
  if (m.inputs.size() != 1) I.fail("expected one graph input, found " + std::to_string(m.inputs.size()));
  I.input = m.inputs[0];
  I.input_shape = m.tensors[I.input].shape;
  I.outputs = m.outputs;
  I.nchw.assign(m.tensors.size(), false);
  I.constants.resize(m.tensors.size());

  // Constant data: fp32 as is, fp16 dequantized (DEQUANTIZE then just forwards it), int32 as int.
  for (size_t i = 0; i < m.tensors.size(); ++i) {
    const TfliteTensor& t = m.tensors[i];
    if (!t.data_size) continue;
    auto shape = dims(t.shape);
    if (t.type == TensorType::float32) {
      I.constants[i] = torch::empty(shape, torch::kFloat32);
      std::memcpy(I.constants[i].data_ptr<float>(), m.data(t), t.data_size);
    } else if (t.type == TensorType::float16) {
      I.constants[i] = torch::empty(shape, torch::kFloat32);
      float* dst = I.constants[i].data_ptr<float>();
      const uint8_t* src = m.data(t);
      for (size_t k = 0; k < t.data_size / 2; ++k) {
        uint16_t h;
        std::memcpy(&h, src + 2 * k, 2);
        dst[k] = half_to_float(h);
      }
    } else {
      I.constants[i] = torch::empty(shape, torch::kInt32);
      std::memcpy(I.constants[i].data_ptr<int32_t>(), m.data(t), t.data_size);
    }
  }
  if (I.input_shape.size() == 4) I.nchw[I.input] = true;

  auto konst = [&](int32_t idx, const char* what) -> torch::Tensor {
    if (idx < 0 || !I.constants[idx].defined())
      I.fail(std::string(what) + " must be a constant tensor");
    return I.constants[idx];
  };
  auto shape_of = [&](int32_t idx) -> const std::vector<int32_t>& { return m.tensors[idx].shape; };

  for (size_t oi = 0; oi < m.operators.size(); ++oi) {
    const TfliteOperator& op = m.operators[oi];
    std::string where = std::string(op_name(int(op.op))) + " (operator " + std::to_string(oi) + ")";
    auto need_io = [&](size_t nin, size_t nout) {
      if (op.inputs.size() < nin || op.outputs.size() != nout)
        I.fail(where + " has " + std::to_string(op.inputs.size()) + " inputs and " +
               std::to_string(op.outputs.size()) + " outputs");
      for (size_t k = 0; k < nin; ++k)
        if (op.inputs[k] < 0) I.fail(where + " lacks a required input");
    };
    Step s;
    s.op = op;
    switch (op.op) {
      case OpCode::dequantize: {
        need_io(1, 1);
        // Only constant fp16 weights are dequantized; they become constants of the output tensor.
        I.constants[op.outputs[0]] = konst(op.inputs[0], (where + " input").c_str());
        continue;
      }
      case OpCode::conv_2d:
      case OpCode::depthwise_conv_2d: {
        need_io(2, 1);
        const auto& in = shape_of(op.inputs[0]);
        torch::Tensor w = konst(op.inputs[1], (where + " filter").c_str());
        if (in.size() != 4 || w.dim() != 4) I.fail(where + " needs 4-D input and filter");
        int64_t cin = in[3];
        if (op.op == OpCode::conv_2d) {
          if (w.size(3) != cin) I.fail(where + ": filter depth does not match the input channels");
          s.weight = w.permute({0, 3, 1, 2}).contiguous(at::MemoryFormat::ChannelsLast);  // OHWI → OIHW
          s.groups = 1;
        } else {
          if (w.size(0) != 1 || w.size(3) != cin * op.depth_multiplier)
            I.fail(where + ": filter shape does not match input channels × depth multiplier");
          s.weight = w.permute({3, 0, 1, 2}).contiguous(at::MemoryFormat::ChannelsLast);  // 1HW(C·M) → (C·M)1HW
          s.groups = cin;
        }
        if (op.inputs.size() > 2 && op.inputs[2] >= 0) {
          s.bias = konst(op.inputs[2], (where + " bias").c_str()).reshape({-1});
          if (s.bias.size(0) != s.weight.size(0)) I.fail(where + ": bias size does not match");
        }
        if (op.stride_h < 1 || op.stride_w < 1 || op.dilation_h < 1 || op.dilation_w < 1)
          I.fail(where + " has a bad stride or dilation");
        AxisPad ph = axis_pad(op.padding, in[1], s.weight.size(2), op.stride_h, op.dilation_h);
        AxisPad pw = axis_pad(op.padding, in[2], s.weight.size(3), op.stride_w, op.dilation_w);
        const auto& out = shape_of(op.outputs[0]);
        if (out.size() != 4 || out[1] != ph.out || out[2] != pw.out || out[3] != s.weight.size(0))
          I.fail(where + ": output shape does not follow from the input and options");
        if (ph.before == ph.after && pw.before == pw.after) {
          s.conv_pad = {ph.before, pw.before};
        } else {
          s.pre_pad = {pw.before, pw.after, ph.before, ph.after};
        }
        I.nchw[op.outputs[0]] = true;
        break;
      }
      case OpCode::max_pool_2d:
      case OpCode::average_pool_2d: {
        need_io(1, 1);
        const auto& in = shape_of(op.inputs[0]);
        if (in.size() != 4) I.fail(where + " needs a 4-D input");
        if (op.stride_h < 1 || op.stride_w < 1 || op.filter_h < 1 || op.filter_w < 1)
          I.fail(where + " has a bad filter or stride");
        AxisPad ph = axis_pad(op.padding, in[1], op.filter_h, op.stride_h, 1);
        AxisPad pw = axis_pad(op.padding, in[2], op.filter_w, op.stride_w, 1);
        const auto& out = shape_of(op.outputs[0]);
        if (out.size() != 4 || out[1] != ph.out || out[2] != pw.out)
          I.fail(where + ": output shape does not follow from the input and options");
        if (op.op == OpCode::max_pool_2d) {
          if (ph.before || ph.after || pw.before || pw.after) {
            // TFLite ignores padded cells; -inf padding gives the same maximum.
            s.pre_pad = {pw.before, pw.after, ph.before, ph.after};
            s.pre_pad_value = -std::numeric_limits<double>::infinity();
          }
        } else {
          // TFLite averages over the cells inside the input only: torch's count_include_pad=false,
          // which takes symmetric padding.
          if (ph.before != ph.after || pw.before != pw.after || 2 * ph.before > op.filter_h || 2 * pw.before > op.filter_w)
            I.fail(where + " with uneven SAME padding is unsupported");
          s.conv_pad = {ph.before, pw.before};
        }
        I.nchw[op.outputs[0]] = true;
        break;
      }
      case OpCode::add:
      case OpCode::mul: {
        need_io(2, 1);
        // Equal shapes, or two 4-D activations broadcast against each other (a squeeze-and-excite
        // gate of 1×1×1×C times a feature map): both are NCHW then, and torch broadcasts the same.
        const auto &a = shape_of(op.inputs[0]), &b = shape_of(op.inputs[1]);
        // Or one operand a single number (the attention FaceMesh scales its landmarks by a constant).
        auto count = [](const std::vector<int32_t>& sh) {
          int64_t n = 1;
          for (int32_t d : sh) n *= d;
          return n;
        };
        if (a != b && !(a.size() == 4 && b.size() == 4 && I.nchw[op.inputs[0]] && I.nchw[op.inputs[1]]) &&
            count(a) != 1 && count(b) != 1)
          I.fail(where + " with broadcasting is unsupported");
        I.nchw[op.outputs[0]] = I.nchw[op.inputs[0]] || I.nchw[op.inputs[1]];
        // A constant (model layout) other than a single number cannot meet an NCHW activation.
        if ((I.constants[op.inputs[0]].defined() && count(a) != 1 && I.nchw[op.inputs[1]]) ||
            (I.constants[op.inputs[1]].defined() && count(b) != 1 && I.nchw[op.inputs[0]]))
          I.fail(where + " with a constant operand is unsupported");
        break;
      }
      case OpCode::hard_swish:
        need_io(1, 1);
        I.nchw[op.outputs[0]] = I.nchw[op.inputs[0]];
        break;
      case OpCode::resize_bilinear: {
        need_io(2, 1);
        const auto& in = shape_of(op.inputs[0]);
        const auto& out = shape_of(op.outputs[0]);
        torch::Tensor size = konst(op.inputs[1], (where + " size").c_str());
        if (in.size() != 4 || out.size() != 4 || size.scalar_type() != torch::kInt32 || size.numel() != 2 ||
            size[0].item<int32_t>() != out[1] || size[1].item<int32_t>() != out[2] || out[0] != in[0] ||
            out[3] != in[3] || in[1] < 1 || in[2] < 1)
          I.fail(where + ": size does not give the declared output shape");
        if (op.align_corners && op.half_pixel_centers) I.fail(where + " sets both align_corners and half_pixel_centers");
        resize_axis(in[1], out[1], op.align_corners, op.half_pixel_centers, s.y0, s.y1, s.wy);
        resize_axis(in[2], out[2], op.align_corners, op.half_pixel_centers, s.x0, s.x1, s.wx);
        s.wy = s.wy.reshape({1, 1, -1, 1});
        s.wx = s.wx.reshape({1, 1, 1, -1});
        I.nchw[op.outputs[0]] = true;
        break;
      }
      case OpCode::transpose_conv_bias: {
        need_io(3, 1);
        const auto& in = shape_of(op.inputs[0]);
        torch::Tensor w = konst(op.inputs[1], (where + " filter").c_str());
        if (in.size() != 4 || w.dim() != 4 || w.size(3) != in[3])
          I.fail(where + ": filter (OHWI) does not match the input channels");
        if (op.stride_h < 1 || op.stride_w < 1 || op.stride_h > 64 || op.stride_w > 64) I.fail(where + " has a bad stride");
        s.weight = w.permute({3, 0, 1, 2}).contiguous();  // OHWI → IOHW, torch's transposed layout
        s.bias = konst(op.inputs[2], (where + " bias").c_str()).reshape({-1});
        if (s.bias.size(0) != w.size(0)) I.fail(where + ": bias size does not match");
        // The full transposed output is (in − 1)·stride + k; TFLite keeps `out` of it, starting at
        // the padding a convolution from `out` back to `in` would put before.
        const auto& out = shape_of(op.outputs[0]);
        if (out.size() != 4 || out[3] != w.size(0)) I.fail(where + ": output shape does not follow");
        for (int ax = 0; ax < 2; ++ax) {
          int64_t n = in[1 + ax], k = w.size(1 + ax), st = ax ? op.stride_w : op.stride_h, o = out[1 + ax];
          int64_t want = op.padding == Padding::same ? n * st : (n - 1) * st + k;
          if (o != want) I.fail(where + ": output shape does not follow from the input and options");
          int64_t total = std::max<int64_t>((n - 1) * st + k - o, 0);
          s.crop.push_back(total / 2);
          s.crop.push_back(total / 2 + o);
        }
        I.nchw[op.outputs[0]] = true;
        break;
      }
      case OpCode::prelu: {
        need_io(2, 1);
        const auto& in = shape_of(op.inputs[0]);
        torch::Tensor a = konst(op.inputs[1], (where + " alpha").c_str());
        if (in.size() != 4 || a.numel() != in[3])
          I.fail(where + ": only per-channel alpha on a 4-D input is supported");
        s.weight = a.reshape({-1}).contiguous();
        I.nchw[op.outputs[0]] = true;
        break;
      }
      case OpCode::relu:
      case OpCode::relu6:
      case OpCode::logistic:
        need_io(1, 1);
        I.nchw[op.outputs[0]] = I.nchw[op.inputs[0]];
        break;
      case OpCode::pad: {
        need_io(2, 1);
        const auto& in = shape_of(op.inputs[0]);
        torch::Tensor p = konst(op.inputs[1], (where + " paddings").c_str());
        if (p.scalar_type() != torch::kInt32 || p.dim() != 2 || p.size(0) != int64_t(in.size()) ||
            p.size(1) != 2)
          I.fail(where + ": paddings must be int32 of shape [rank, 2]");
        auto pa = p.accessor<int32_t, 2>();
        int rank = int(in.size());
        // The padded shape must be the declared one, checked before anything is allocated.
        const auto& out = shape_of(op.outputs[0]);
        if (int(out.size()) != rank) I.fail(where + ": output rank differs from the input's");
        for (int ax = 0; ax < rank; ++ax)
          if (pa[ax][0] < 0 || pa[ax][1] < 0 || pa[ax][0] > (1 << 16) || pa[ax][1] > (1 << 16) ||
              int64_t(in[ax]) + pa[ax][0] + pa[ax][1] != int64_t(out[ax]))
            I.fail(where + ": paddings do not give the declared output shape");
        bool as_nchw = I.nchw[op.inputs[0]];
        // torch pads from the last axis backwards.
        std::vector<int64_t> pads;
        for (int ax = rank - 1; ax >= 0; --ax) {
          int src = ax;
          if (as_nchw) {  // NCHW axis ax holds NHWC axis inv[ax]
            static const int inv[4] = {0, 3, 1, 2};
            src = inv[ax];
          }
          if (pa[src][0] < 0 || pa[src][1] < 0) I.fail(where + " has negative padding");
          pads.push_back(pa[src][0]);
          pads.push_back(pa[src][1]);
        }
        s.pad = pads;
        I.nchw[op.outputs[0]] = as_nchw;
        break;
      }
      case OpCode::reshape: {
        need_io(1, 1);
        s.out_shape = dims(shape_of(op.outputs[0]));
        int64_t n_in = 1, n_out = 1;
        for (int32_t d : shape_of(op.inputs[0])) n_in *= d;
        for (int64_t d : s.out_shape) n_out *= d;
        if (n_in != n_out) I.fail(where + " changes the element count");
        I.nchw[op.outputs[0]] = false;  // outputs kept in model layout
        break;
      }
      case OpCode::strided_slice: {
        need_io(4, 1);
        if (op.ellipsis_mask || op.new_axis_mask) I.fail(where + " uses an ellipsis or new-axis mask");
        const auto& in_shape = shape_of(op.inputs[0]);
        const int64_t rank = int64_t(in_shape.size());
        torch::Tensor b = konst(op.inputs[1], (where + " begin").c_str()), e = konst(op.inputs[2], (where + " end").c_str()),
                      st = konst(op.inputs[3], (where + " strides").c_str());
        if (b.scalar_type() != torch::kInt32 || b.numel() != rank || e.numel() != rank || st.numel() != rank ||
            e.scalar_type() != torch::kInt32 || st.scalar_type() != torch::kInt32)
          I.fail(where + " needs int32 begin, end and strides of the input's rank");
        for (int64_t d = 0; d < rank; ++d) {
          const int64_t n = in_shape[size_t(d)];
          int64_t step = st.data_ptr<int32_t>()[d];
          if (step != 1) I.fail(where + " has a stride other than 1");
          int64_t start = (op.begin_mask >> d) & 1 ? 0 : b.data_ptr<int32_t>()[d];
          int64_t stop = (op.end_mask >> d) & 1 ? n : e.data_ptr<int32_t>()[d];
          if (start < 0) start += n;
          if (stop < 0) stop += n;
          start = std::clamp<int64_t>(start, 0, n);
          stop = std::clamp<int64_t>(stop, start, n);
          if ((op.shrink_axis_mask >> d) & 1) stop = std::min(n, start + 1);
          s.slices.push_back({start, stop, step});
        }
        for (int64_t d = rank - 1; d >= 0; --d)
          if ((op.shrink_axis_mask >> d) & 1) s.shrink_axes.push_back(d);
        I.nchw[op.outputs[0]] = shape_of(op.outputs[0]).size() == 4;
        break;
      }
      case OpCode::landmarks_to_transform_matrix: {
        need_io(1, 1);
        const auto& in_shape = shape_of(op.inputs[0]);
        if (in_shape.empty() || in_shape.back() < 2) I.fail(where + " needs landmarks of 2 or 3 coordinates");
        int64_t n = 1;
        for (size_t k = 0; k + 1 < in_shape.size(); ++k) n *= in_shape[k];
        s.points = n;
        for (int32_t i : op.subset_idxs)
          if (i >= n) I.fail(where + " names landmark " + std::to_string(i) + " of " + std::to_string(n));
        if (op.left_rotation_idx >= n || op.right_rotation_idx >= n) I.fail(where + " names a rotation landmark out of range");
        I.nchw[op.outputs[0]] = false;
        break;
      }
      case OpCode::transform_tensor_bilinear: {
        need_io(2, 1);
        if (!I.nchw[op.inputs[0]]) I.fail(where + " needs a 4-D feature map");
        I.nchw[op.outputs[0]] = true;
        break;
      }
      case OpCode::transform_landmarks: {
        need_io(2, 1);
        const auto& in_shape = shape_of(op.inputs[0]);
        if (in_shape.size() != 3 || (in_shape[2] != 2 && in_shape[2] != 3)) I.fail(where + " needs landmarks [1, N, 2 or 3]");
        I.nchw[op.outputs[0]] = false;
        break;
      }
      case OpCode::concatenation: {
        if (op.inputs.empty() || op.outputs.size() != 1) I.fail(where + " has no inputs");
        int rank = int(shape_of(op.inputs[0]).size());
        int axis = op.axis < 0 ? op.axis + rank : op.axis;
        if (axis < 0 || axis >= rank) I.fail(where + " has a bad axis");
        bool as_nchw = I.nchw[op.inputs[0]];
        for (int32_t t : op.inputs)
          if (t < 0 || I.nchw[t] != as_nchw) I.fail(where + " mixes layouts");
        s.concat_axis = as_nchw ? nchw_axis(axis) : axis;
        I.nchw[op.outputs[0]] = as_nchw;
        break;
      }
    }
    if (op.activation != Activation::none && op.activation != Activation::relu &&
        op.activation != Activation::relu6)
      I.fail(where + " has an unsupported fused activation");
    I.steps.push_back(std::move(s));
  }
  for (int32_t o : I.outputs) {
    bool produced = I.constants[o].defined() || o == I.input;
    for (const Step& s : I.steps)
      for (int32_t t : s.op.outputs) produced |= (t == o);
    if (!produced) I.fail("graph output '" + m.tensors[o].name + "' is never computed");
  }
  // Declared shapes are only claims: run the graph once on zeros and check that every op makes the
  // shape its output declares, so that a doctored model fails here, in one line, not mid-video.
  for (const auto& t : m.tensors) I.declared.push_back(t.shape);
  int64_t in_numel = 1;
  for (int32_t d : I.input_shape) {
    if (d < 1 || d > (1 << 16)) I.fail("input dimension " + std::to_string(d) + " is outside [1, 65536]");
    in_numel *= d;
    if (in_numel > (int64_t{1} << 24)) I.fail("input has more than 2^24 elements");
  }
  try {
    I.run(torch::zeros(dims(I.input_shape)), true);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    std::string what = e.what();
    I.fail("an op fails on its declared shapes (" + what.substr(0, what.find('\n')) + ")");
  }
}

TfliteInterpreter::~TfliteInterpreter() = default;
TfliteInterpreter::TfliteInterpreter(TfliteInterpreter&&) noexcept = default;
TfliteInterpreter& TfliteInterpreter::operator=(TfliteInterpreter&&) noexcept = default;

const std::vector<int32_t>& TfliteInterpreter::input_shape() const { return impl_->input_shape; }

std::vector<std::vector<int32_t>> TfliteInterpreter::output_shapes() const {
  std::vector<std::vector<int32_t>> shapes;
  for (int32_t o : impl_->outputs) shapes.push_back(impl_->declared[size_t(o)]);
  return shapes;
}

std::vector<torch::Tensor> TfliteInterpreter::run(const torch::Tensor& input) const { return impl_->run(input, false); }

std::vector<torch::Tensor> TfliteInterpreter::Impl::run(const torch::Tensor& input, bool check_shapes) const {
  const Impl& I = *this;
  c10::InferenceMode guard;
  auto want = dims(I.input_shape);
  if (input.sizes() != c10::IntArrayRef(want) || input.scalar_type() != torch::kFloat32)
    throw std::invalid_argument(I.file + ": input tensor has the wrong shape or type");
  std::vector<torch::Tensor> v(I.n_tensors);
  // 4-D activations are NCHW tensors in channels-last memory (oneDNN's fast path for depthwise
  // convolutions; the NHWC input already has that layout).
  const auto cl = at::MemoryFormat::ChannelsLast;
  v[I.input] = I.nchw[I.input] ? input.contiguous().permute({0, 3, 1, 2}).contiguous(cl) : input;
  auto get = [&](int32_t idx) -> const torch::Tensor& {
    return v[idx].defined() ? v[idx] : I.constants[idx];
  };
  for (const Step& s : I.steps) {
    const TfliteOperator& op = s.op;
    torch::Tensor y;
    switch (op.op) {
      case OpCode::conv_2d:
      case OpCode::depthwise_conv_2d: {
        torch::Tensor x = get(op.inputs[0]);
        if (!s.pre_pad.empty()) x = torch::constant_pad_nd(x, s.pre_pad, s.pre_pad_value).contiguous(cl);
        y = torch::conv2d(x, s.weight, s.bias, {op.stride_h, op.stride_w}, s.conv_pad,
                          {op.dilation_h, op.dilation_w}, s.groups);
        break;
      }
      case OpCode::max_pool_2d: {
        torch::Tensor x = get(op.inputs[0]);
        if (!s.pre_pad.empty()) x = torch::constant_pad_nd(x, s.pre_pad, s.pre_pad_value).contiguous(cl);
        y = torch::max_pool2d(x, {op.filter_h, op.filter_w}, {op.stride_h, op.stride_w});
        break;
      }
      case OpCode::add:
        y = get(op.inputs[0]) + get(op.inputs[1]);
        break;
      case OpCode::mul:
        y = get(op.inputs[0]) * get(op.inputs[1]);
        break;
      case OpCode::average_pool_2d:
        y = torch::avg_pool2d(get(op.inputs[0]), {op.filter_h, op.filter_w}, {op.stride_h, op.stride_w}, s.conv_pad,
                              false, /*count_include_pad=*/false);
        break;
      case OpCode::hard_swish:
        y = torch::hardswish(get(op.inputs[0]));
        break;
      case OpCode::resize_bilinear: {
        const torch::Tensor& x = get(op.inputs[0]);
        torch::Tensor r = torch::lerp(x.index_select(2, s.y0), x.index_select(2, s.y1), s.wy);
        y = torch::lerp(r.index_select(3, s.x0), r.index_select(3, s.x1), s.wx).contiguous(cl);
        break;
      }
      case OpCode::transpose_conv_bias: {
        torch::Tensor full = torch::conv_transpose2d(get(op.inputs[0]), s.weight, s.bias, {op.stride_h, op.stride_w});
        y = full.slice(2, s.crop[0], s.crop[1]).slice(3, s.crop[2], s.crop[3]).contiguous(cl);
        break;
      }
      case OpCode::prelu:
        y = torch::prelu(get(op.inputs[0]), s.weight);
        break;
      case OpCode::relu:
        y = torch::relu(get(op.inputs[0]));
        break;
      case OpCode::relu6:
        y = torch::clamp(get(op.inputs[0]), 0.0, 6.0);
        break;
      case OpCode::logistic:
        y = torch::sigmoid(get(op.inputs[0]));
        break;
      case OpCode::pad:
        y = torch::constant_pad_nd(get(op.inputs[0]), s.pad, 0.0);
        if (I.nchw[op.inputs[0]]) y = y.contiguous(cl);
        break;
      case OpCode::reshape: {
        torch::Tensor x = get(op.inputs[0]);
        if (I.nchw[op.inputs[0]]) x = x.permute({0, 2, 3, 1});
        y = x.reshape(s.out_shape);
        break;
      }
      case OpCode::strided_slice: {
        torch::Tensor x = get(op.inputs[0]);
        if (I.nchw[op.inputs[0]]) x = x.permute({0, 2, 3, 1});
        for (size_t d = 0; d < s.slices.size(); ++d) x = x.slice(int64_t(d), s.slices[d][0], s.slices[d][1], s.slices[d][2]);
        for (int64_t d : s.shrink_axes) x = x.squeeze(d);
        y = I.nchw[op.outputs[0]] ? x.permute({0, 3, 1, 2}).contiguous(cl) : x.contiguous();
        break;
      }
      case OpCode::landmarks_to_transform_matrix:
        y = landmarks_to_transform_matrix(get(op.inputs[0]), op);
        break;
      case OpCode::transform_tensor_bilinear:
        y = transform_tensor_bilinear(get(op.inputs[0]), get(op.inputs[1]), op.output_height, op.output_width)
                .contiguous(cl);
        break;
      case OpCode::transform_landmarks:
        y = transform_landmarks(get(op.inputs[0]), get(op.inputs[1]));
        break;
      case OpCode::concatenation: {
        std::vector<torch::Tensor> xs;
        for (int32_t t : op.inputs) xs.push_back(get(t));
        y = torch::cat(xs, s.concat_axis);
        break;
      }
      case OpCode::dequantize:
        break;  // folded at load
    }
    if (op.activation == Activation::relu) y = torch::relu_(y);
    else if (op.activation == Activation::relu6) y = torch::clamp_(y, 0.0, 6.0);
    if (check_shapes && y.defined()) {
      std::vector<int64_t> got = (I.nchw[op.outputs[0]] && y.dim() == 4 ? y.permute({0, 2, 3, 1}) : y).sizes().vec();
      if (got != dims(I.declared[op.outputs[0]]))
        I.fail("op " + std::to_string(&s - I.steps.data()) + " makes shape " + c10::str(c10::IntArrayRef(got)) +
               " where its output declares " +
               c10::str(c10::IntArrayRef(dims(I.declared[op.outputs[0]]))));
    }
    v[op.outputs[0]] = y;
  }
  std::vector<torch::Tensor> out;
  for (int32_t o : I.outputs) {
    torch::Tensor t = get(o);
    out.push_back(I.nchw[o] ? t.permute({0, 2, 3, 1}).contiguous() : t);
  }
  return out;
}

}  // namespace auhead::face
