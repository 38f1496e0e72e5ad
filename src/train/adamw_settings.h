// The optimiser settings every auhead trainer shares: AdamW (decoupled weight decay, as
// torch.optim.AdamW) with global-norm gradient clipping.
#pragma once

namespace auhead::train {

struct AdamWSettings {
  double lr = 1e-4;
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  double weight_decay = 0.01;
  double max_grad_norm = 1.0;  // ≤ 0: no clipping
};

}  // namespace auhead::train
