// The diffusion sampling options of `render` and `generate` (--steps, --sampler, --guidance-reference,
// --guidance-au, --device): with another renderer, or out of range, they are one-line usage errors
// (exit 2) naming the option, reported before any input file is read. Runs with models are in
// tests/render/diffusion/diffusion_renderer_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>

#include "cli/cli_test_util.h"

using namespace auhead::test;

TEST(CliSamplingOptions, UsageErrorsNameTheOption) {
  TempDir dir("cli_sampling");
  // The AU file and the model folder do not exist: the option errors come first.
  const std::string render = "render --au " + (dir / "missing.json").string() + " --image " + example("portrait.jpg") +
                             " -o " + (dir / "out.mp4").string();
  const std::string diffusion = render + " --renderer diffusion --render-model " + (dir / "no_model").string();
  const std::string generate = "generate --audio " + example("speech.wav") + " --image " + example("portrait.jpg") +
                               " -o " + (dir / "out.mp4").string();
  struct Case {
    std::string args;
    std::string message;
  } cases[] = {
      {render + " --steps 4", "--steps applies to --renderer diffusion"},
      {render + " --renderer warp --sampler ddim", "--sampler applies to --renderer diffusion"},
      {render + " --guidance-reference 2", "--guidance-reference applies to --renderer diffusion"},
      {render + " --guidance-au 1", "--guidance-au applies to --renderer diffusion"},
      {render + " --device cpu", "--device applies to --renderer diffusion"},
      {generate + " --steps 4", "--steps applies to --renderer diffusion"},
      {diffusion + " --steps 0", "--steps must be in [1, 1000], got 0"},
      {diffusion + " --steps many", "--steps"},
      {diffusion + " --sampler euler", "--sampler must be ddim or dpmsolver++, got 'euler'"},
      {diffusion + " --guidance-reference -1", "--guidance-reference must be a number >= 0, got -1"},
      {diffusion + " --guidance-au -0.5", "--guidance-au must be a number >= 0, got -0.5"},
      {diffusion + " --guidance-au nan", "--guidance-au must be a number >= 0, got nan"},
      {diffusion + " --device tpu", "--device must be auto, cpu or cuda, got 'tpu'"},
      {generate + " --renderer diffusion --sampler dpm", "--sampler must be ddim or dpmsolver++, got 'dpm'"},
  };
  for (const auto& c : cases) {
    auto r = run_cli(c.args);
    EXPECT_EQ(r.code, 2) << c.args << "\n" << r.output;
    EXPECT_NE(r.output.find(c.message), std::string::npos) << c.args << "\n" << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << "one line: " << r.output;
  }
  EXPECT_EQ(dir.entries(), 0u);  // nothing written
}

TEST(CliSamplingOptions, HelpListsThem) {
  auto r = run_cli("render --help");
  ASSERT_EQ(r.code, 0) << r.output;
  for (const char* option : {"--steps", "--sampler", "--guidance-reference", "--guidance-au", "--device"})
    EXPECT_NE(r.output.find(option), std::string::npos) << option;
}
