// End-to-end checks of `generate`, `au` and `render` on bad inputs: one-line errors naming the file,
// the documented exit codes, and no output left behind.
#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <unistd.h>

#include "cli/cli_test_util.h"

using namespace auhead::test;

TEST(CliGenerate, BadInputsNameTheFile) {
  TempDir dir("cli_generate");
  std::ofstream(dir / "noise.wav") << "this is not audio at all";
  std::ofstream(dir / "empty.wav").close();
  std::ofstream(dir / "text.png") << "not an image";
  std::ofstream(dir / "aus.json") << R"({"fps":25,"frames":[[0.5]]})";
  const std::string speech = example("speech.wav"), portrait = example("portrait.jpg");
  const std::string out = " -o " + (dir / "out.mp4").string();
  struct Case {
    std::string args;
    int code;
    std::string message;
  } cases[] = {
      {"generate --audio " + (dir / "missing.wav").string() + " --image " + portrait + out, 3, "missing.wav: no such file"},
      {"generate --audio " + (dir / "noise.wav").string() + " --image " + portrait + out, 3, "noise.wav: not an audio file"},
      {"generate --audio " + (dir / "empty.wav").string() + " --image " + portrait + out, 3, "empty.wav: contains no audio"},
      {"generate --audio " + speech + " --image " + (dir / "text.png").string() + out, 3, "text.png: not an image"},
      {"generate --audio " + speech + " --image " + (dir / "missing.png").string() + out, 3, "missing.png: no such file"},
      {"generate --audio " + speech + " --image " + portrait + " -o /nonexistent-dir/out.mp4", 4, "/nonexistent-dir/out.mp4"},
      {"generate --audio " + speech + " --image " + portrait + out + " --emotion joyful", 2, "unknown emotion 'joyful'"},
      {"generate --audio " + speech + " --image " + portrait + out + " --renderer cartoon", 2, "--renderer"},
      {"generate --audio " + speech + " --image " + portrait + out + " --size 101", 2, "--size must be an even number"},
      {"generate --audio " + speech + " --image " + portrait + out + " --au-out " + (dir / "a.txt").string(), 2, "unknown AU file type"},
      {"au --audio " + (dir / "noise.wav").string() + " -o " + (dir / "a.json").string(), 3, "noise.wav: not an audio file"},
      {"render --au " + (dir / "aus.json").string() + " --image " + portrait + out, 3, "aus.json: frame 0: expected 30 values"},
      {"render --au " + (dir / "missing.json").string() + " --image " + portrait + out, 3, "missing.json: no such file"},
  };
  for (const auto& c : cases) {
    auto r = run_cli(c.args);
    EXPECT_EQ(r.code, c.code) << c.args << "\n" << r.output;
    EXPECT_NE(r.output.find(c.message), std::string::npos) << c.args << "\n" << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << "one line: " << r.output;
  }
  EXPECT_EQ(dir.entries(), 4u);  // only the inputs
}

// An interrupted run removes its temporary output: nothing partial is left behind, whichever of the
// signals that end a process arrives, for the video and for a frame folder (--frames DIR).
TEST(CliGenerate, InterruptLeavesNoPartialFile) {
  namespace fs = std::filesystem;
  struct Case {
    int signal;
    const char* extra;
  } cases[] = {{SIGINT, ""}, {SIGTERM, "--frames"}, {SIGQUIT, "--frames"}, {SIGPIPE, ""}, {SIGUSR1, "--frames"}};
  for (const auto& c : cases) {
    SCOPED_TRACE("signal " + std::to_string(c.signal) + " " + c.extra);
    TempDir dir("cli_interrupt");
    std::string frames = *c.extra ? " --frames " + (dir / "frames").string() : "";
    std::string cmd = std::string(AUHEAD_CLI_PATH) + " generate -q --audio " + example("speech.wav") + " --image " +
                      example("portrait.jpg") + " --size 1024 -o " + (dir / "out.mp4").string() + frames +
                      " >/dev/null 2>&1 & echo $!";
    const int pid = std::atoi(run_shell(cmd).output.c_str());  // the background job's pid
    ASSERT_GT(pid, 0);
    // Wait for the temporaries to appear (the render has started), then interrupt.
    bool started = false;
    for (int i = 0; i < 600 && !started; ++i) {
      int temporaries = 0;
      for (auto& e : fs::directory_iterator(dir.path()))
        if (e.path().filename().string().find(".tmp-") != std::string::npos) ++temporaries;
      started = temporaries >= (*c.extra ? 2 : 1);
      if (!started) usleep(50 * 1000);
    }
    kill(pid, c.signal);
    ASSERT_TRUE(started) << "the render never started";
    // The process is the shell's child, not ours: wait until it is gone (or 10 s).
    for (int i = 0; i < 200 && kill(pid, 0) == 0; ++i) usleep(50 * 1000);
    EXPECT_EQ(dir.entries(), 0u) << "a partial or temporary file was left behind";
  }
}
