#include "render/renderer.h"

#include "core/named_registry.h"
#include "pipeline/implementations.h"

namespace auhead::render {

namespace {
NamedRegistry<RendererFactory>& registry() {
  static NamedRegistry<RendererFactory> r = [] {
    NamedRegistry<RendererFactory> built("renderer", {"warp", "diffusion"});  // docs/design.md §2.2
    for (auto& [name, make] : builtin_renderers()) built.add(name, std::move(make));
    return built;
  }();
  return r;
}
}  // namespace

bool register_renderer(const std::string& name, RendererFactory factory) { return registry().add(name, std::move(factory)); }

std::unique_ptr<Renderer> make_renderer(const std::string& name, const RendererOptions& options) {
  return registry().get(name)(options);
}

}  // namespace auhead::render
