#include "audio2au/alm/audio_projector.h"

#include <torch/torch.h>

namespace auhead::audio2au::alm {

AudioProjectorImpl::AudioProjectorImpl(int64_t audio_dim, int64_t text_dim) {
  linear = register_module("linear", torch::nn::Linear(audio_dim, text_dim));
}

}  // namespace auhead::audio2au::alm
