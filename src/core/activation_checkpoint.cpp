#include "core/activation_checkpoint.h"

#include <memory>

#include "core/rng_state.h"

namespace auhead {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

struct BlockHolder : torch::CustomClassHolder {
  explicit BlockHolder(CheckpointBlock b) : block(std::move(b)) {}
  CheckpointBlock block;
};

struct CheckpointFunction : torch::autograd::Function<CheckpointFunction> {
  static torch::Tensor forward(AutogradContext* ctx, torch::Tensor x, c10::intrusive_ptr<BlockHolder> holder) {
    ctx->saved_data["rng"] = cpu_rng_state();
    ctx->saved_data["block"] = c10::IValue::make_capsule(holder);
    ctx->save_for_backward({x});
    return holder->block(x);  // autograd is off inside a Function's forward: nothing is kept
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_out) {
    const torch::Tensor x = ctx->get_saved_variables()[0];
    auto holder = c10::static_intrusive_pointer_cast<BlockHolder>(ctx->saved_data["block"].toCapsule());
    torch::Tensor input = x.detach().requires_grad_(true);
    {
      torch::AutoGradMode enable(true);
      const torch::Tensor now = cpu_rng_state();
      set_cpu_rng_state(ctx->saved_data["rng"].toTensor());
      torch::Tensor y = holder->block(input);
      set_cpu_rng_state(now);
      if (y.requires_grad()) torch::autograd::backward({y}, {grad_out[0]});
    }
    return {input.grad(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor checkpointed(CheckpointBlock block, const torch::Tensor& x) {
  if (!torch::GradMode::is_enabled()) return block(x);
  // A Function's output needs grad only when an input does: a block fed by frozen layers would
  // otherwise give its own parameters no gradient (what Hugging Face's enable_input_require_grads fixes).
  if (!x.requires_grad()) return CheckpointFunction::apply(x.detach().requires_grad_(true), c10::make_intrusive<BlockHolder>(std::move(block)));
  return CheckpointFunction::apply(x, c10::make_intrusive<BlockHolder>(std::move(block)));
}

}  // namespace auhead
