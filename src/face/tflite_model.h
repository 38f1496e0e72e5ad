// A TFLite model file read into plain structs: the one subgraph's tensors and operators, with the
// builtin options of the few operators auhead's face models use. Hand-written flatbuffer reader,
// every offset bounds-checked; malformed files and unsupported operators are input errors.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace auhead::face {

// TFLite's TensorType codes (schema.fbs).
enum class TensorType : int8_t { float32 = 0, float16 = 1, int32 = 2, uint8 = 3, int64 = 4, int8 = 9 };

// The builtin operators this reader accepts (TFLite's BuiltinOperator codes).
enum class OpCode : int32_t {
  add = 0,
  average_pool_2d = 1,
  concatenation = 2,
  conv_2d = 3,
  depthwise_conv_2d = 4,
  dequantize = 6,
  logistic = 14,
  max_pool_2d = 17,
  mul = 18,
  relu = 19,
  relu6 = 21,
  reshape = 22,
  resize_bilinear = 23,
  pad = 34,
  prelu = 54,
  strided_slice = 45,
  hard_swish = 117,
  // Not builtins: MediaPipe's custom operators. "Convolution2DTransposeBias" (a transposed
  // convolution with bias; options in custom_options as {padding, stride_w, stride_h} int32s), and
  // the attention FaceMesh's three (options in FlexBuffer maps): "Landmarks2TransformMatrix" (the
  // crop of a landmark subset as a 4×4 matrix), "TransformTensorBilinear" (a feature map resampled
  // through such a matrix) and "TransformLandmarks" (points mapped through one).
  transpose_conv_bias = 100000,
  landmarks_to_transform_matrix = 100001,
  transform_tensor_bilinear = 100002,
  transform_landmarks = 100003,
};

enum class Padding : int8_t { same = 0, valid = 1 };
enum class Activation : int8_t { none = 0, relu = 1, relu_n1_to_1 = 2, relu6 = 3, tanh = 4 };

struct TfliteTensor {
  std::string name;
  std::vector<int32_t> shape;
  TensorType type = TensorType::float32;
  // Constant data inside the model file (offset into TfliteModel::bytes); size 0 for activations.
  size_t data_offset = 0;
  size_t data_size = 0;
};

struct TfliteOperator {
  OpCode op = OpCode::add;
  std::vector<int32_t> inputs;   // tensor indices; -1 marks an omitted optional input
  std::vector<int32_t> outputs;
  // Options (only those of the operator's own options table are meaningful).
  Padding padding = Padding::same;
  int32_t stride_w = 1, stride_h = 1;
  int32_t dilation_w = 1, dilation_h = 1;
  int32_t filter_w = 1, filter_h = 1;  // pooling
  int32_t depth_multiplier = 1;
  int32_t axis = 0;  // concatenation
  bool align_corners = false, half_pixel_centers = false;  // resize_bilinear
  Activation activation = Activation::none;
  // strided_slice: TFLite's bit masks
  int32_t begin_mask = 0, end_mask = 0, ellipsis_mask = 0, new_axis_mask = 0, shrink_axis_mask = 0;
  // landmarks_to_transform_matrix, transform_tensor_bilinear
  int32_t output_width = 0, output_height = 0;
  int32_t left_rotation_idx = 0, right_rotation_idx = 0;
  float scale_x = 1, scale_y = 1;
  std::vector<int32_t> subset_idxs;
};

struct TfliteModel {
  std::string file;  // for messages
  std::vector<uint8_t> bytes;
  std::vector<TfliteTensor> tensors;
  std::vector<TfliteOperator> operators;  // in execution order
  std::vector<int32_t> inputs, outputs;   // graph input/output tensor indices

  // Reads and validates a .tflite file; throws auhead::Error (bad_input) naming the file.
  static TfliteModel load(const std::filesystem::path& file);
  // Same, from bytes already in memory; `file` names them in messages.
  static TfliteModel parse(std::vector<uint8_t> bytes, const std::string& file);

  const uint8_t* data(const TfliteTensor& t) const { return bytes.data() + t.data_offset; }
};

// "CONV_2D" etc. for messages.
const char* op_name(int32_t builtin_code);

}  // namespace auhead::face
