// A program that embeds auhead through its public headers only: speech -> AUs -> a short video, with
// the handles that load each stage once (au_generator.h, renderer.h) and a progress hook.
// Usage: consumer SPEECH PORTRAIT OUT.mp4
#include <cstdio>
#include <filesystem>

#include "auhead/au_generator.h"
#include "auhead/error.h"
#include "auhead/renderer.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: consumer SPEECH PORTRAIT OUT.mp4\n");
    return 2;
  }
  try {
    auhead::AuGeneratorConfig stage1;
    stage1.lipsync = "fast";
    const auhead::AuGenerator generator(stage1);
    auhead::AuRequest request;
    request.emotion = auhead::Emotion::happy;
    auhead::AuSequence seq = generator.generate(std::filesystem::path(argv[1]), request);
    seq.frames.resize(std::min<size_t>(seq.frames.size(), 25));  // one second is enough here

    auhead::RendererConfig stage2;
    stage2.size = 128;
    const auhead::Renderer renderer(stage2);
    const auhead::Portrait portrait = auhead::Portrait::load(argv[2]);
    auhead::RunHooks hooks;
    long long frames = 0;
    hooks.progress = [&](const std::string&, int64_t done, int64_t) { frames = done; };
    renderer.render_file(seq, portrait, {argv[3], {}, {}}, {}, hooks);
    std::printf("consumer: %zu AU frames, %lld rendered, %s written (%ju bytes)\n", seq.frames.size(), frames, argv[3],
                std::uintmax_t(std::filesystem::file_size(argv[3])));
    return 0;
  } catch (const auhead::Error& e) {
    std::fprintf(stderr, "consumer: %s\n", e.what());
    return 1;
  }
}
