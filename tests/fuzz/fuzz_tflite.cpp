// libFuzzer harness: the TFLite flatbuffer reader (src/face/tflite_model.h, TfliteModel::parse from
// memory) and the interpreter's set-up (tflite_interpreter.h), which validates the graph for running.
// A graph that passes both is run once on zeros when its input is small (at most 256×256×3 values):
// the interpreter promises an auhead::Error for anything it cannot run, so a c10::Error or a crash
// there is a finding. Seeds: the BlazeFace and selfie segmentation models scripts/setup.sh installs
// (models/face/).
#include <torch/torch.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "auhead/error.h"
#include "face/tflite_interpreter.h"
#include "face/tflite_model.h"
#include "fuzz_util.h"

namespace face = auhead::face;

namespace {

int fuzz_one(const uint8_t* data, size_t size) {
  // One intra-op thread: a graph run on zeros then costs the same on any machine, and a thread pool's
  // start-up and spinning do not push a unit past libFuzzer's timeout on a busy one.
  static const bool one_thread = (torch::set_num_threads(1), true);
  (void)one_thread;
  try {
    face::TfliteModel model = face::TfliteModel::parse(std::vector<uint8_t>(data, data + size), "fuzz.tflite");
    auhead::fuzz::note("parsed: " + std::to_string(model.tensors.size()) + " tensors, " +
                       std::to_string(model.operators.size()) + " operators");
    for (const auto& op : model.operators) (void)face::op_name(int32_t(op.op));
    face::TfliteInterpreter interpreter(model);
    std::vector<int64_t> shape(interpreter.input_shape().begin(), interpreter.input_shape().end());
    int64_t numel = 1;
    for (int64_t d : shape) numel = (d > 0 && numel <= (int64_t(1) << 40) / d) ? numel * d : -1;
    auhead::fuzz::note("interpreter ready; input numel " + std::to_string(numel));
    if (numel > 0 && numel <= 256 * 256 * 3) {
      std::vector<torch::Tensor> out = interpreter.run(torch::zeros(shape));
      for (const auto& t : out) (void)t.sizes();
    }
  } catch (const auhead::Error& e) {
    auhead::fuzz::rejected(e);
  }
  return 0;
}

}  // namespace

AUHEAD_FUZZ_ENTRY(fuzz_one)
