#include <gtest/gtest.h>
#include "auhead/error.h"
#include <torch/torch.h>

#include <cmath>

#include "render/diffusion/ddim_scheduler.h"
#include "render/diffusion/dpm_solver_scheduler.h"
#include "render/diffusion/parity_compare.h"

using namespace auhead::render::diffusion;

namespace {
NoiseScheduleConfig sd15(TimestepSpacing spacing, PredictionType pred = PredictionType::epsilon) {
  NoiseScheduleConfig c;
  c.beta_schedule = "scaled_linear";
  c.timestep_spacing = spacing;
  c.steps_offset = 1;
  c.prediction_type = pred;
  return c;
}
}  // namespace

TEST(DiffusionScheduler, TimestepSpacings) {
  DdimScheduler leading(sd15(TimestepSpacing::leading));
  EXPECT_EQ(leading.set_timesteps(4), (std::vector<int64_t>{751, 501, 251, 1}));
  DdimScheduler trailing(sd15(TimestepSpacing::trailing));
  EXPECT_EQ(trailing.set_timesteps(4), (std::vector<int64_t>{999, 749, 499, 249}));
  DdimScheduler lin(sd15(TimestepSpacing::linspace));
  EXPECT_EQ(lin.set_timesteps(4), (std::vector<int64_t>{999, 666, 333, 0}));
  DpmSolverScheduler dpm(sd15(TimestepSpacing::leading));
  EXPECT_EQ(dpm.set_timesteps(4), (std::vector<int64_t>{801, 601, 401, 201}));
}

TEST(DiffusionScheduler, ZeroTerminalSnrEndsAtZeroAlphaBar) {
  NoiseScheduleConfig c = sd15(TimestepSpacing::trailing);
  c.rescale_betas_zero_snr = true;
  auto ac = alphas_cumprod(c);
  EXPECT_EQ(ac.back(), 0.0);
  EXPECT_NEAR(ac.front(), 1.0 - 0.00085, 1e-6);
}

// With a perfect ε-model of a fixed x0, one DDIM step to the end recovers x0 exactly.
TEST(DiffusionScheduler, DdimRecoversX0FromExactEpsilon) {
  DdimScheduler s(sd15(TimestepSpacing::trailing));
  s.set_timesteps(1);
  const int64_t t = s.timesteps()[0];
  auto ac = alphas_cumprod(sd15(TimestepSpacing::trailing));
  torch::Tensor x0 = torch::randn({2, 4}), eps = torch::randn({2, 4});
  torch::Tensor xt = std::sqrt(ac[t]) * x0 + std::sqrt(1 - ac[t]) * eps;
  EXPECT_TRUE(torch::allclose(s.step(eps, t, xt), x0, 1e-4, 1e-4));
}

TEST(DiffusionScheduler, DpmSolverRequiresTimestepsInOrder) {
  DpmSolverScheduler s(sd15(TimestepSpacing::trailing));
  s.set_timesteps(3);
  torch::Tensor x = torch::zeros({1});
  try {
    s.step(x, s.timesteps()[1], x);
    ADD_FAILURE() << "a step out of order was taken";
  } catch (const auhead::Error& e) {
    EXPECT_EQ(e.code(), auhead::ExitCode::internal);
    EXPECT_NE(std::string(e.what()).find("internal error: DPM-Solver++"), std::string::npos) << e.what();
  }
}

TEST(DiffusionParityCompare, NonFiniteValuesMustMatchTheReference) {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::nanf("");
  torch::Tensor ref = torch::tensor({1.f, inf, nan});
  EXPECT_TRUE(compare_tensors("a", torch::tensor({1.f, inf, nan}), ref).pass);
  EXPECT_FALSE(compare_tensors("b", torch::tensor({1.f, -inf, nan}), ref).pass);
  EXPECT_FALSE(compare_tensors("c", torch::tensor({nan, inf, nan}), ref).pass);
  EXPECT_FALSE(compare_tensors("d", torch::tensor({1.f, inf}), torch::tensor({1.f, inf, 2.f})).pass);
  auto r = compare_tensors("e", torch::tensor({100.005f}), torch::tensor({100.f}));
  EXPECT_NEAR(r.tolerance, 0.01, 1e-9);
  EXPECT_TRUE(r.pass);
}
