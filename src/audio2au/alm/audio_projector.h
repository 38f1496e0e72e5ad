// Qwen2-Audio's multi_modal_projector: one linear map from the audio tower's width to the decoder's.
#pragma once
#include <torch/torch.h>

namespace auhead::audio2au::alm {

class AudioProjectorImpl : public torch::nn::Module {
 public:
  AudioProjectorImpl(int64_t audio_dim, int64_t text_dim);
  torch::Tensor forward(const torch::Tensor& x) { return linear(x); }

 private:
  torch::nn::Linear linear{nullptr};
};
TORCH_MODULE(AudioProjector);

}  // namespace auhead::audio2au::alm
