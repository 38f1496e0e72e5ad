#include "media/wav_writer.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "auhead/error.h"
#include "core/atomic_file.h"

namespace auhead::media {

namespace {

void put_u32(std::vector<char>& b, uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back(char((v >> (8 * i)) & 0xff));
}
void put_u16(std::vector<char>& b, uint16_t v) {
  b.push_back(char(v & 0xff));
  b.push_back(char(v >> 8));
}

}  // namespace

void write_wav_pcm16(const std::filesystem::path& file, std::span<const float> samples, int sample_rate) {
  if (sample_rate <= 0) throw usage_error("WAV sample rate must be positive");
  if (samples.size() > (0xffffffffull - 44) / 2) throw output_error(file.string(), "too long for a WAV file");
  const uint32_t data_bytes = uint32_t(samples.size() * 2);
  std::vector<char> b;
  b.reserve(44 + data_bytes);
  b.insert(b.end(), {'R', 'I', 'F', 'F'});
  put_u32(b, 36 + data_bytes);
  b.insert(b.end(), {'W', 'A', 'V', 'E', 'f', 'm', 't', ' '});
  put_u32(b, 16);
  put_u16(b, 1);  // PCM
  put_u16(b, 1);  // mono
  put_u32(b, uint32_t(sample_rate));
  put_u32(b, uint32_t(sample_rate) * 2);
  put_u16(b, 2);
  put_u16(b, 16);
  b.insert(b.end(), {'d', 'a', 't', 'a'});
  put_u32(b, data_bytes);
  for (float s : samples) {
    const float c = std::isfinite(s) ? std::clamp(s, -1.0f, 1.0f) : 0.0f;
    put_u16(b, uint16_t(int16_t(std::lround(c * 32767.0f))));
  }
  AtomicFile out(file);
  std::ofstream f(out.temp_path(), std::ios::binary);
  f.write(b.data(), std::streamsize(b.size()));
  f.close();
  if (!f) throw output_error(file.string(), "cannot write");
  out.commit();
}

}  // namespace auhead::media
