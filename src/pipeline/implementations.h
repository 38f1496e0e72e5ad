// The one place that lists every implementation of each stage (docs/design.md §2.2): the registries
// start from these lists, so nothing registers itself from a static initialiser and a program links
// libauhead without whole-archive linking. Adding a renderer touches its folder and implementations.cpp.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "audio2au/au_generator.h"
#include "core/parity.h"
#include "render/renderer.h"

namespace auhead {

std::vector<std::pair<std::string, render::RendererFactory>> builtin_renderers();
std::vector<std::pair<std::string, audio2au::AuGeneratorFactory>> builtin_au_generators();
// The fixture layouts of `auhead parity --fixtures` (diffusion parts, Whisper log-mel, Qwen2-Audio).
std::vector<ParityHandler> builtin_parity_handlers();

}  // namespace auhead
