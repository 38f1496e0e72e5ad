// A program that embeds auhead through its public headers only: speech -> AUs -> a short video.
// Usage: consumer SPEECH PORTRAIT OUT.mp4
#include <cstdio>
#include <filesystem>

#include "auhead/error.h"
#include "auhead/pipeline.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: consumer SPEECH PORTRAIT OUT.mp4\n");
    return 2;
  }
  try {
    auhead::AuOptions au;
    au.audio = argv[1];
    au.lipsync = "fast";
    au.emotion = auhead::Emotion::happy;
    auhead::AuSequence seq = auhead::generate_au(au);
    seq.frames.resize(std::min<size_t>(seq.frames.size(), 25));  // one second is enough here
    auhead::RenderOptions ro;
    ro.image = argv[2];
    ro.output = argv[3];
    ro.size = 128;
    auhead::render_video(seq, ro);
    std::printf("consumer: %zu AU frames, %s written (%ju bytes)\n", seq.frames.size(), argv[3],
                std::uintmax_t(std::filesystem::file_size(argv[3])));
    return 0;
  } catch (const auhead::Error& e) {
    std::fprintf(stderr, "consumer: %s\n", e.what());
    return 1;
  }
}
