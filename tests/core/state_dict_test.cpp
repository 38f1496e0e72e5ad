#include <gtest/gtest.h>
#include <torch/torch.h>

#include "auhead/error.h"
#include "checkpoint/state_dict.h"

using namespace auhead;

namespace {

struct NetImpl : torch::nn::Module {
  NetImpl() {
    fc = register_module("fc", torch::nn::Linear(3, 2));
    adapter = register_module("au_adapter", torch::nn::Linear(2, 2));
    bn = register_module("bn", torch::nn::BatchNorm1d(2));
  }
  torch::nn::Linear fc{nullptr}, adapter{nullptr};
  torch::nn::BatchNorm1d bn{nullptr};
};
TORCH_MODULE(Net);

TensorMap full_state() {
  Net src;
  TensorMap s = module_state(*src);
  for (auto& [k, t] : s) s[k] = torch::full_like(t, 0.25).to(torch::kHalf);
  return s;
}

std::string error_of(torch::nn::Module& m, const TensorMap& s, const StateDictOptions& o = {}) {
  try {
    load_state_dict(m, s, "weights.bin", o);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::bad_input);
    return e.what();
  }
  return "";
}

}  // namespace

TEST(CheckpointStateDict, LoadsByExactKeyConvertingDtype) {
  Net net;
  TensorMap s = full_state();
  EXPECT_TRUE(s.count("bn.running_mean") && s.count("bn.num_batches_tracked"));
  load_state_dict(*net, s, "weights.bin");
  EXPECT_EQ(net->fc->weight.scalar_type(), torch::kFloat);
  EXPECT_TRUE(torch::allclose(net->fc->weight, torch::full({2, 3}, 0.25f)));
  EXPECT_TRUE(torch::allclose(net->bn->running_var, torch::full({2}, 0.25f)));
}

TEST(CheckpointStateDict, MissingUnexpectedAndMisshapedKeysAreNamed) {
  Net net;
  TensorMap s = full_state();
  s.erase("fc.bias");
  EXPECT_EQ(error_of(*net, s), "weights.bin: state dict lacks keys 'fc.bias'");
  s = full_state();
  s["fc.extra"] = torch::zeros({1});
  EXPECT_EQ(error_of(*net, s), "weights.bin: state dict has unexpected keys 'fc.extra'");
  s = full_state();
  s["fc.weight"] = torch::zeros({3, 2});
  EXPECT_EQ(error_of(*net, s), "weights.bin: key 'fc.weight' has shape [3, 2] in the file but [2, 3] in the model");
}

TEST(CheckpointStateDict, AllowedMissingPrefixesStartFresh) {
  Net net;
  torch::Tensor before = net->adapter->weight.clone();
  TensorMap s = full_state();
  s.erase("au_adapter.weight");
  s.erase("au_adapter.bias");
  EXPECT_NE(error_of(*net, s, {{"au"}, {}}).find("lacks keys 'au_adapter.bias', 'au_adapter.weight'"), std::string::npos);
  load_state_dict(*net, s, "weights.bin", {{"au_adapter"}, {}});
  EXPECT_TRUE(torch::equal(net->adapter->weight, before));
  EXPECT_TRUE(torch::allclose(net->fc->bias, torch::full({2}, 0.25f)));
  s["ema.fc.weight"] = torch::zeros({1});
  load_state_dict(*net, s, "weights.bin", {{"au_adapter"}, {"ema"}});
}
