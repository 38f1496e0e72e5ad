#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "auhead/error.h"
#include "build_config.h"
#include "checkpoint/safetensors.h"

namespace fs = std::filesystem;
using namespace auhead;

namespace {

fs::path temp_dir() {
  fs::path dir = fs::temp_directory_path() / ("auhead_safetensors_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

// Writes a file made of an 8-byte header length, the header text and `data_bytes` zero bytes.
fs::path write_raw(const std::string& name, const std::string& header, std::size_t data_bytes,
                   int64_t header_len = -1) {
  fs::path p = temp_dir() / name;
  std::ofstream os(p, std::ios::binary);
  uint64_t n = header_len < 0 ? header.size() : static_cast<uint64_t>(header_len);
  os.write(reinterpret_cast<const char*>(&n), 8);
  os << header;
  os << std::string(data_bytes, '\0');
  return p;
}

std::string error_of(const fs::path& p) {
  try {
    load_safetensors(p);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::bad_input);
    return e.what();
  }
  return "";
}

void expect_error(const fs::path& p, const std::string& part) {
  std::string msg = error_of(p);
  EXPECT_EQ(msg.rfind(p.string() + ": ", 0), 0u) << msg;
  EXPECT_NE(msg.find(part), std::string::npos) << msg;
}

}  // namespace

TEST(Safetensors, RoundTripsEveryDtype) {
  TensorMap in;
  in["f32"] = torch::randn({2, 3});
  in["f16"] = torch::randn({4}).to(torch::kHalf);
  in["bf16"] = torch::randn({1, 5}).to(torch::kBFloat16);
  in["f64"] = torch::randn({3}, torch::kDouble);
  in["i64"] = torch::arange(7, torch::kLong);
  in["i32"] = torch::arange(3, torch::kInt);
  in["i16"] = torch::arange(5, torch::kShort);
  in["i8"] = torch::arange(-3, 3, torch::kChar);
  in["u8"] = torch::arange(9, torch::kByte);
  in["bool"] = torch::tensor({true, false, true});
  in["scalar"] = torch::tensor(3.5f);
  in["empty"] = torch::empty({0, 4});
  in["strided"] = torch::randn({4, 6}).t();  // non-contiguous input
  fs::path p = temp_dir() / "all.safetensors";
  save_safetensors(p, in, {{"format", "pt"}});
  for (bool copy : {false, true}) {
    TensorMap out = load_safetensors(p, copy);
    ASSERT_EQ(out.size(), in.size());
    for (auto& [name, t] : in) {
      ASSERT_TRUE(out.count(name)) << name;
      EXPECT_EQ(out[name].scalar_type(), t.scalar_type()) << name;
      EXPECT_EQ(out[name].sizes(), t.sizes()) << name;
      EXPECT_TRUE(torch::equal(out[name], t)) << name;
    }
  }
}

TEST(Safetensors, MappedTensorsOutliveTheReaderAndNeverWriteTheFile) {
  fs::path p = temp_dir() / "keep.safetensors";
  save_safetensors(p, {{"x", torch::ones({16})}});
  torch::Tensor x;
  {
    SafetensorsFile f(p);
    EXPECT_EQ(f.names(), std::vector<std::string>{"x"});
    EXPECT_EQ(f.shape("x"), std::vector<int64_t>{16});
    x = f.get("x");
  }
  x.mul_(2);  // private mapping: copy-on-write
  EXPECT_FLOAT_EQ(x.sum().item<float>(), 32.f);
  EXPECT_FLOAT_EQ(load_safetensors(p)["x"].sum().item<float>(), 16.f);
}

TEST(Safetensors, ReadsTheVaeFixture) {
  SafetensorsFile f(fs::path(AUHEAD_FIXTURES_DIR) / "diffusion/vae/diffusion_pytorch_model.safetensors");
  EXPECT_EQ(f.dtype("encoder.conv_in.weight"), torch::kHalf);
  EXPECT_EQ(f.shape("encoder.conv_in.weight"), (std::vector<int64_t>{32, 3, 3, 3}));
  EXPECT_EQ(f.get("quant_conv.weight").sizes(), (torch::IntArrayRef{8, 8, 1, 1}));
}

TEST(Safetensors, MalformedFilesNameFileAndProblem) {
  const std::string ok = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  expect_error(write_raw("short.safetensors", "", 0, 0).string() + "x", "no such file");
  {
    fs::path p = temp_dir() / "tiny.safetensors";
    std::ofstream(p) << "abc";
    expect_error(p, "truncated");
  }
  expect_error(write_raw("trunc_header.safetensors", ok, 0, 4000), "truncated");
  expect_error(write_raw("huge_header.safetensors", ok, 8, int64_t(1) << 40), "implausible");
  expect_error(write_raw("bad_json.safetensors", "{\"a\": [", 8), "bad safetensors header JSON");
  expect_error(write_raw("not_object.safetensors", "[1, 2]", 8), "bad safetensors header JSON");
  expect_error(write_raw("trunc_data.safetensors", ok, 4), "out of range");
  expect_error(write_raw("dtype.safetensors", R"({"a":{"dtype":"Q7","shape":[2],"data_offsets":[0,8]}})", 8),
               "unknown or unsupported dtype 'Q7'");
  expect_error(write_raw("size.safetensors", R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8),
               "tensor 'a': data_offsets span 8 bytes");
  expect_error(write_raw("overlap.safetensors",
                         R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                         R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                         12),
               "overlap");
  expect_error(write_raw("reversed.safetensors", R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}})", 8),
               "reversed");
  expect_error(write_raw("fields.safetensors", R"({"a":{"dtype":"F32"}})", 8), "needs dtype, shape");
  // __metadata__ is ignored.
  fs::path meta = write_raw("meta.safetensors", R"({"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", 8);
  EXPECT_EQ(load_safetensors(meta).size(), 1u);
}

TEST(Safetensors, MissingTensorNamesFileAndTensor) {
  fs::path p = temp_dir() / "one.safetensors";
  save_safetensors(p, {{"x", torch::ones({1})}});
  try {
    SafetensorsFile(p).get("y");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), p.string() + ": no tensor named 'y'");
  }
}
