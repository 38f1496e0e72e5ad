// End-to-end tests of the AU-file commands and the CLI's error contract.
#include <gtest/gtest.h>

#include <fstream>

#include "auhead/au_sequence.h"
#include "cli/cli_test_util.h"

using namespace auhead;
using namespace auhead::test;

namespace {
const char* kCsv = "frame,timestamp,jaw_drop,eye_closure_left\n0,0.0,0.5,0\n1,0.04,0.25,1\n2,0.08,0,0.5\n";
}

TEST(CliAu, HelpListsCommandsAndExitCodes) {
  auto r = run_cli("--help");
  EXPECT_EQ(r.code, 0);
  for (const char* cmd : {"generate", "au", "render", "au-convert", "au-list", "Exit codes"})
    EXPECT_NE(r.output.find(cmd), std::string::npos) << cmd;
  for (const char* cmd : {"generate", "au", "render", "au-convert"}) {
    auto h = run_cli(std::string(cmd) + " --help");
    EXPECT_EQ(h.code, 0) << cmd;
    EXPECT_NE(h.output.find("Usage"), std::string::npos) << cmd;
  }
}

TEST(CliAu, ConvertCsvToJsonWithResampleAndEdit) {
  TempDir dir("cli_convert");
  std::ofstream(dir / "in.csv") << kCsv;
  auto r = run_cli("au-convert " + (dir / "in.csv").string() + " " + (dir / "out.json").string() + " --fps 50 --set jaw_drop=1@0.04-");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_TRUE(r.output.empty()) << r.output;
  AuSequence seq = read_au_file(dir / "out.json");
  EXPECT_EQ(seq.fps, 50);
  EXPECT_EQ(seq.frames.size(), 6u);
  EXPECT_EQ(seq.frames[0][8], 0.5f);
  EXPECT_EQ(seq.frames[2][8], 1.f);
  // And back to CSV, exactly.
  ASSERT_EQ(run_cli("au-convert " + (dir / "out.json").string() + " " + (dir / "back.csv").string()).code, 0);
  EXPECT_EQ(read_au_file(dir / "back.csv"), seq);
}

TEST(CliAu, BadInputsGiveOneLineErrorsAndExitCodes) {
  TempDir dir("cli_bad");
  std::ofstream(dir / "bad.json") << R"({"fps":25,"frames":[[2]]})";
  std::ofstream(dir / "good.csv") << kCsv;
  struct Case {
    std::string args;
    int code;
    std::string message;
  } cases[] = {
      {"au-convert " + (dir / "missing.json").string() + " " + (dir / "o.json").string(), 3, "missing.json: no such file"},
      {"au-convert " + (dir / "bad.json").string() + " " + (dir / "o.json").string(), 3, "bad.json: frame 0: expected 30 values"},
      {"au-convert " + (dir / "good.csv").string() + " /nonexistent-dir/o.json", 4, "/nonexistent-dir/o.json: folder"},
      {"au-convert " + (dir / "good.csv").string() + " " + (dir / "o.txt").string(), 2, "unknown AU file type"},
      {"au-convert " + (dir / "good.csv").string() + " " + (dir / "o.json").string() + " --set smile=1", 2, "unknown AU 'smile'"},
      {"au-convert " + (dir / "good.csv").string() + " " + (dir / "o.json").string() + " --fps 0", 2, "--fps"},
      {"au-convert " + (dir / "good.csv").string() + " " + (dir / "o.json").string() + " --emotion-scale 2", 2, "emotion label"},
      {"au --audio " + (dir / "x.wav").string() + " -o " + (dir / "o.json").string() + " --emotion joyful", 2,
       "unknown emotion 'joyful' (valid: angry, contempt, disgusted, fear, happy, neutral, sad, surprised)"},
      {"no-such-command", 2, "error"},
      {"render --au " + (dir / "good.csv").string() + " --image x.png -o " + (dir / "o.mp4").string() + " --size 63", 2, "--size"},
  };
  for (const auto& c : cases) {
    auto r = run_cli(c.args);
    EXPECT_EQ(r.code, c.code) << c.args << "\n" << r.output;
    EXPECT_NE(r.output.find(c.message), std::string::npos) << c.args << "\n" << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << "one line: " << r.output;
  }
  // Nothing was written besides the inputs.
  EXPECT_EQ(dir.entries(), 2u);
}
