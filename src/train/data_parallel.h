// Data-parallel training over several processes (and machines) with PyTorch's c10d and its Gloo backend:
// rendezvous from MASTER_ADDR / MASTER_PORT / RANK / WORLD_SIZE, as torchrun and Slurm scripts set
// them; sums of gradients and counts across the processes. Gloo runs on the CPU; a libtorch built with
// CUDA would add NCCL here.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace auhead::train {

class DataParallel {
 public:
  // Null when WORLD_SIZE is unset or 1. Otherwise joins the group (rank 0 hosts the TCP store at
  // MASTER_ADDR:MASTER_PORT; the others connect within `timeout_s`). Bad or missing variables are
  // usage errors naming them; a rendezvous that fails is an unavailable error. The device binds to
  // GLOO_SOCKET_IFNAME when set, to 127.0.0.1 when MASTER_ADDR is local, else to this host's name.
  static std::unique_ptr<DataParallel> from_environment(double timeout_s = 300);
  ~DataParallel();

  int rank() const { return rank_; }
  int world() const { return world_; }

  double sum(double value);
  // Sums the tensors over the processes, in place (one flattened float32/64 buffer per dtype).
  void sum(std::vector<torch::Tensor>& tensors);
  // Sums the gradients of `params` over the processes, in place (a parameter without a gradient
  // takes zeros): every process then holds the global batch's gradients.
  void sum_gradients(const std::vector<torch::Tensor>& params);
  // Every process gets rank 0's values, in place.
  void broadcast(std::vector<torch::Tensor>& tensors);
  void barrier();

 private:
  struct Group;
  DataParallel(std::unique_ptr<Group> group, int rank, int world);
  std::unique_ptr<Group> group_;
  int rank_ = 0, world_ = 1;
};

}  // namespace auhead::train
