// Hostile input through the CLI (issue #17): each documented bad-input class ends with exit code
// 2/3/4, exactly one stderr line naming the file (control characters escaped), and no output file
// or temporary left behind; inputs are never written over.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "cli/cli_test_util.h"

namespace auhead::test {
namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void spit(const std::filesystem::path& p, const std::string& bytes) { std::ofstream(p, std::ios::binary) << bytes; }

void put_le(std::string& s, uint32_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) s.push_back(char((v >> (8 * i)) & 0xff));
}

// A mono 16 kHz IEEE-float WAV holding `samples`.
std::string float_wav(const std::vector<float>& samples) {
  std::string data(reinterpret_cast<const char*>(samples.data()), samples.size() * sizeof(float));
  std::string w = "RIFF";
  put_le(w, uint32_t(36 + data.size()), 4);
  w += "WAVEfmt ";
  put_le(w, 16, 4);
  put_le(w, 3, 2);  // IEEE float
  put_le(w, 1, 2);
  put_le(w, 16000, 4);
  put_le(w, 16000 * 4, 4);
  put_le(w, 4, 2);
  put_le(w, 32, 2);
  w += "data";
  put_le(w, uint32_t(data.size()), 4);
  return w + data;
}

struct Case {
  std::string name;   // what the case is
  std::string args;   // the command line after `auhead -q`
  int code;           // expected exit code
  std::string says;   // expected in the one error line (file name and problem)
};

class CliHostileInput : public ::testing::Test {
 protected:
  TempDir dir{"cli_hostile"};
  std::string p(const std::string& name) const { return (dir / name).string(); }
};

TEST_F(CliHostileInput, EveryBadInputClassEndsInOneCleanLine) {
  const std::string portrait = slurp(example("portrait.jpg"));
  ASSERT_GT(portrait.size(), 1000u);
  // Inputs, each bad in one way.
  const std::string zeros = "[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]";
  spit(dir / "tiny_fps.json", R"({"fps": 1e-7, "frames": [)" + zeros + "]}");
  spit(dir / "huge_number.json", R"({"fps": 25, "frames": [[1e400]]})");
  spit(dir / "escape.json", "{\"fps\": 25, \"emotion\": {\"label\": \"\\u001b[31mred\", \"intensity\": 1}, \"frames\": []}");
  spit(dir / "truncated.jpg", portrait.substr(0, portrait.size() / 2));
  spit(dir / "empty.png", "");
  {
    // A valid 1×1 PNG whose IHDR claims 32768 × 32768 pixels (its CRC no longer matches: the size
    // must be refused from the header, before any decoder runs).
    std::string png("\x89PNG\r\n\x1a\n", 8);
    png += std::string("\0\0\0\x0dIHDR", 8);
    png += std::string("\0\0\x80\0\0\0\x80\0\x08\x02\0\0\0", 13);
    png += std::string("\0\0\0\0", 4);
    spit(dir / "huge.png", png);
  }
  spit(dir / "loud.wav", float_wav(std::vector<float>(16000, 1e20f)));
  spit(dir / "nan.wav", float_wav(std::vector<float>(16000, std::nanf(""))));
  ASSERT_EQ(::mkfifo(p("fifo.wav").c_str(), 0600), 0);
  const std::string good_au = p("good.json");
  spit(good_au, R"({"fps": 25, "emotion": {"label": "happy", "intensity": 0.7}, "frames": [)" + zeros + "," + zeros + "]}");

  const std::vector<Case> cases = {
      {"AU fps far below any video", "au-convert " + p("tiny_fps.json") + " " + p("o.json"), 3, "tiny_fps.json: fps must be between"},
      {"JSON number out of range", "au-convert " + p("huge_number.json") + " " + p("o.json"), 3, "huge_number.json: not valid JSON"},
      {"control characters from the input", "au-convert " + p("escape.json") + " " + p("o.json"), 3, "\\x1b[31mred"},
      {"NaN emotion scale", "au-convert " + good_au + " " + p("o.json") + " --emotion-scale nan", 2, "--emotion-scale"},
      {"infinite intensity", "au --audio " + example("speech.wav") + " -o " + p("o.json") + " --emotion-intensity inf", 2,
       "--emotion-intensity"},
      {"truncated JPEG", "face --image " + p("truncated.jpg") + " -o " + p("o.json"), 3, "truncated.jpg: corrupt JPEG"},
      {"empty image", "face --image " + p("empty.png") + " -o " + p("o.json"), 3, "empty.png: is empty"},
      {"image header claiming 1 gigapixel", "face --image " + p("huge.png") + " -o " + p("o.json"), 3,
       "huge.png: claims 32768x32768 pixels"},
      {"float WAV far beyond full scale", "au --audio " + p("loud.wav") + " -o " + p("o.json"), 3, "loud.wav: has samples far beyond"},
      {"float WAV of NaN", "au --audio " + p("nan.wav") + " -o " + p("o.json"), 3, "nan.wav: has samples that are not numbers"},
      {"a FIFO as audio", "au --audio " + p("fifo.wav") + " -o " + p("o.json"), 3, "fifo.wav: is not a regular file"},
  };
  for (const auto& c : cases) {
    auto r = run_cli("-q " + c.args);
    SCOPED_TRACE(c.name);
    EXPECT_EQ(r.code, c.code) << c.args << "\n" << r.output;
    EXPECT_NE(r.output.find(c.says), std::string::npos) << c.args << "\n" << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << "one line: " << r.output;
    EXPECT_EQ(r.output.find('\x1b'), std::string::npos) << "raw escape byte reached the terminal";
    EXPECT_FALSE(std::filesystem::exists(dir / "o.json")) << c.args;
  }
  // Nothing besides the inputs: no outputs, no temporaries.
  std::vector<std::string> left;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) left.push_back(e.path().filename().string());
  std::sort(left.begin(), left.end());
  EXPECT_EQ(left, (std::vector<std::string>{"empty.png", "escape.json", "fifo.wav", "good.json", "huge.png", "huge_number.json",
                                            "loud.wav", "nan.wav", "tiny_fps.json", "truncated.jpg"}));
}

// An output path that is one of the run's inputs is refused, and the input stays as it was.
TEST_F(CliHostileInput, OutputsNeverOverwriteInputs) {
  std::filesystem::copy_file(example("portrait.jpg"), dir / "me.jpg");
  const std::string before = slurp(dir / "me.jpg");
  auto r = run_cli("-q face --image " + p("me.jpg") + " -o " + p("face.json") + " --draw " + p("me.jpg"));
  EXPECT_EQ(r.code, 4) << r.output;
  EXPECT_NE(r.output.find("me.jpg: is also an input of this run"), std::string::npos) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  EXPECT_EQ(slurp(dir / "me.jpg"), before);
  EXPECT_EQ(dir.entries(), 1u) << "the JSON beside it is not committed either";

  const std::string zeros = "[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]";
  spit(dir / "aus.json", R"({"fps": 25, "frames": [)" + zeros + "]}");
  const std::string aus = slurp(dir / "aus.json");
  r = run_cli("-q au-convert " + p("aus.json") + " " + p("aus.json") + " --fps 50");
  EXPECT_EQ(r.code, 4) << r.output;
  EXPECT_EQ(slurp(dir / "aus.json"), aus);
}

// A full disk, in small: the shell's file-size limit (ulimit -f, in KiB blocks) makes writes fail
// with EFBIG once a file reaches it. The run ends with exit 4 and one line naming the output, and
// leaves nothing behind (no partial video, no temporary, no frame folder).
TEST_F(CliHostileInput, AFullDiskEndsAsAnOutputErrorWithNothingLeft) {
  const auto limited = [&](int kib, const std::string& args) {
    return run_shell("ulimit -f " + std::to_string(kib) + "; exec " + std::string(AUHEAD_CLI_PATH) + " -q " + args +
                     " 2>&1 </dev/null");
  };
  const std::string inputs = "generate --audio " + example("speech.wav") + " --image " + example("portrait.jpg") +
                             " --lipsync fast --size 128";
  auto r = limited(40, inputs + " -o " + p("out.mp4"));
  EXPECT_EQ(r.code, 4) << r.output;
  EXPECT_NE(r.output.find("out.mp4"), std::string::npos) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  EXPECT_EQ(dir.entries(), 0u);

  r = limited(4, inputs + " --frames " + p("frames") + " -o " + p("out.mp4"));
  EXPECT_EQ(r.code, 4) << r.output;
  EXPECT_NE(r.output.find("frames"), std::string::npos) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;  // libpng's own line captured
  EXPECT_EQ(dir.entries(), 0u);
}

}  // namespace
}  // namespace auhead::test
