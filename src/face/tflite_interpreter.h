// Runs a TfliteModel on libtorch (CPU): the graph is translated once at load into torch ops on NCHW
// tensors (weights permuted, fp16 constants dequantized, TFLite's SAME/VALID padding precomputed).
#pragma once
#include <torch/torch.h>

#include <memory>
#include <vector>

#include "face/tflite_model.h"

namespace auhead::face {

class TfliteInterpreter {
 public:
  // Validates the graph (shapes, constant weights, supported op forms); throws auhead::Error
  // naming the model file for what it cannot run.
  explicit TfliteInterpreter(const TfliteModel& model);
  ~TfliteInterpreter();
  TfliteInterpreter(TfliteInterpreter&&) noexcept;
  TfliteInterpreter& operator=(TfliteInterpreter&&) noexcept;

  // Input: float32 tensor in the model's own layout and shape (NHWC, e.g. 1×128×128×3).
  // Returns the graph outputs in the model's layout, in graph output order.
  std::vector<torch::Tensor> run(const torch::Tensor& input) const;

  const std::vector<int32_t>& input_shape() const;
  // The shapes the model declares for its graph outputs, in graph output order.
  std::vector<std::vector<int32_t>> output_shapes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace auhead::face
