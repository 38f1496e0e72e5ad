// Parity checks of the Stage 1 ALM parts against recorded reference outputs: the Whisper log-mel
// front end (`auhead parity --logmel`), the tokenizer (`--tokenizer --ids`), both declared in
// auhead/parity.h, and the Qwen2-Audio fixture folders, whose handlers join `auhead parity --fixtures`.
#pragma once
#include <vector>

#include "auhead/parity.h"
#include "core/parity.h"

namespace auhead::audio2au::alm {

// The handlers of `auhead parity --fixtures` for the Whisper log-mel and Qwen2-Audio fixtures
// (listed in pipeline/implementations.cpp).
std::vector<ParityHandler> parity_handlers();

}  // namespace auhead::audio2au::alm
