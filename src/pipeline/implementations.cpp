#include "pipeline/implementations.h"

#include "audio2au/alm/alm_generator.h"
#include "audio2au/alm/alm_parity.h"
#include "audio2au/phonetic/phonetic_generator.h"
#include "render/diffusion/diffusion_renderer.h"
#include "render/diffusion/parity.h"
#include "render/warp/warp_renderer.h"
#include "train/lora_train_parity.h"

namespace auhead {

std::vector<std::pair<std::string, render::RendererFactory>> builtin_renderers() {
  return {
      {"warp", [](const render::RendererOptions& o) -> std::unique_ptr<render::Renderer> {
         return std::make_unique<render::warp::WarpRenderer>(o);
       }},
      {"diffusion", [](const render::RendererOptions& o) -> std::unique_ptr<render::Renderer> {
         return std::make_unique<render::diffusion::DiffusionRenderer>(o);
       }},
  };
}

std::vector<std::pair<std::string, audio2au::AuGeneratorFactory>> builtin_au_generators() {
  return {
      {"phonetic", [](const audio2au::AuGeneratorOptions& o) -> std::unique_ptr<audio2au::AuGenerator> {
         return std::make_unique<audio2au::phonetic::PhoneticGenerator>(o);
       }},
      {"alm", [](const audio2au::AuGeneratorOptions& o) -> std::unique_ptr<audio2au::AuGenerator> {
         return std::make_unique<audio2au::alm::AlmGenerator>(o);
       }},
  };
}

std::vector<ParityHandler> builtin_parity_handlers() {
  std::vector<ParityHandler> all = render::diffusion::parity_handlers();
  for (auto& h : audio2au::alm::parity_handlers()) all.push_back(std::move(h));
  for (auto& h : train::parity_handlers()) all.push_back(std::move(h));
  return all;
}

}  // namespace auhead
