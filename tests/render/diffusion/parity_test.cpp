#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <set>

#include "auhead/error.h"
#include "build_config.h"
#include "render/diffusion/parity.h"
#include "cli/cli_test_util.h"

namespace fs = std::filesystem;
using namespace auhead;
using namespace auhead::render::diffusion;

TEST(DiffusionParity, SharedFixturesPass) {
  ParityReport report = run_parity(fs::path(AUHEAD_FIXTURES_DIR) / "diffusion");
  ASSERT_GE(report.results.size(), 3u);
  for (const auto& r : report.results) EXPECT_TRUE(r.pass) << format_parity_line(r);
  EXPECT_TRUE(report.all_pass());
  std::set<std::string> names;
  for (const auto& r : report.results) names.insert(r.name);
  for (const char* name : {"step_io:pose_guider_out_4", "step_io:reference_unet_out", "step_io:pred_with_reference",
                           "step_io:pred_without_reference"})
    EXPECT_TRUE(names.count(name)) << name;
  // Every part of the fixture folder is checked (step_io.safetensors by the three step handlers).
  for (const auto& part : report.skipped) ADD_FAILURE() << "skipped: " << part;
}

TEST(DiffusionParity, MissingFixturesAreNamed) {
  fs::path dir = fs::temp_directory_path() / ("auhead_parity_test_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  try {
    run_parity(dir);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no parity fixtures"), std::string::npos) << e.what();
  }
  fs::create_directories(dir / "vae");
  try {
    run_parity(dir);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::bad_input);
    EXPECT_NE(std::string(e.what()).find((dir / "vae_io.safetensors").string() + ": no such file"), std::string::npos)
        << e.what();
  }
  fs::remove_all(dir);
}

// Without -q: the run prints no warning (no fixture part is left unchecked).
TEST(DiffusionParity, CliPrintsOneLinePerOutputAndExitsZero) {
  const test::CliResult r = test::run_cli(std::string("parity --fixtures ") + AUHEAD_FIXTURES_DIR + "/diffusion");
  const std::string& out = r.output;
  EXPECT_EQ(r.code, 0) << out;
  EXPECT_NE(out.find("vae_io:decode_out"), std::string::npos) << out;
  EXPECT_NE(out.find("PASS"), std::string::npos) << out;
  EXPECT_EQ(out.find("FAIL"), std::string::npos) << out;
  EXPECT_EQ(out.find("warning"), std::string::npos) << out;
}

// The whole fixture tree in one call: the top-level layouts and the diffusion/ sub-folder, with the
// part that has no check yet (the LoRA training step) reported as a warning, not a failure.
TEST(DiffusionParity, CliChecksTheWholeFixtureTree) {
  const test::CliResult r = test::run_cli(std::string("parity --fixtures ") + AUHEAD_FIXTURES_DIR);
  const std::string& out = r.output;
  EXPECT_EQ(r.code, 0) << out;
  for (const char* name : {"vae_io:decode_out", "qwen2_audio_tiny:logits", "clip_vision:image_embeds",
                           "whisper_logmel:speech_logmel128"})
    EXPECT_NE(out.find(name), std::string::npos) << name << "\n" << out;
  EXPECT_EQ(out.find("FAIL"), std::string::npos) << out;
}
